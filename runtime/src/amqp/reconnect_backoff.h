// ReconnectBackoff: when to try reconnecting after a lost connection, and to which host.
#ifndef BROKRPC_SRC_AMQP_RECONNECT_BACKOFF_H_
#define BROKRPC_SRC_AMQP_RECONNECT_BACKOFF_H_

#include <chrono>
#include <cstddef>
#include <functional>

namespace brokrpc::internal {

// Exponential backoff with jitter: the first attempt comes `initial` after the loss; each failed
// attempt doubles the backoff (at most `max`) and waits 80..120 % of it, so that many clients do
// not reconnect in step. Each failure also moves on to the next host (several hosts: the index is
// taken modulo their count by the connection). Pure bookkeeping, no clock; not thread-safe (lives
// on the transport's I/O thread).
class ReconnectBackoff {
 public:
  // A uniform random integer in [low, high].
  using Random = std::function<int(int low, int high)>;

  // `random` defaults to a per-thread Mersenne Twister seeded from std::random_device.
  ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                   Random random = nullptr);

  // The connection was lost: back to the initial backoff; returns the wait before the first
  // attempt (the initial backoff, without jitter).
  std::chrono::milliseconds Restart();
  // The connection to host `lost` of `hosts` was lost: Restart(), and the next attempt starts
  // with one of the other hosts picked at random (the lost one comes last), so that the
  // connections of a lost cluster node spread over the surviving nodes.
  std::chrono::milliseconds Lost(size_t lost, size_t hosts);
  // An attempt failed: moves on to the next host, doubles the backoff (capped at max) and returns
  // the wait before the next attempt (80..120 % of the backoff).
  std::chrono::milliseconds Failed();

  // True while the failures are the first ones after a loss (worth a warning; later ones are
  // routine).
  bool early() const { return backoff_ <= initial_ * 2; }
  std::chrono::milliseconds backoff() const { return backoff_; }
  // The host to try next (a counter: the connection takes it modulo the number of hosts).
  size_t host_index() const { return host_index_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  Random random_;
  std::chrono::milliseconds backoff_{0};
  size_t host_index_ = 0;
};

}  // namespace brokrpc::internal

#endif  // BROKRPC_SRC_AMQP_RECONNECT_BACKOFF_H_
