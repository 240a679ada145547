// WakeFd: an eventfd that one thread polls and others signal, to end that thread's poll().
#ifndef BROKRPC_SRC_BASE_WAKE_FD_H_
#define BROKRPC_SRC_BASE_WAKE_FD_H_

namespace brokrpc::internal {

// Level-triggered: a Signal() before the poll starts still ends it. Signal() from any thread;
// Clear() by the polling thread. Non-copyable; closes the fd when destroyed.
class WakeFd {
 public:
  WakeFd();
  ~WakeFd();
  WakeFd(const WakeFd&) = delete;
  WakeFd& operator=(const WakeFd&) = delete;

  void Signal();
  void Clear();
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_BASE_WAKE_FD_H_
