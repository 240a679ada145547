// Typed streams: the reader / writer objects of server-streaming, client-streaming and
// bidirectional calls (gRPC's names and shapes).
#ifndef BROKRPC_STREAM_H_
#define BROKRPC_STREAM_H_

#include <google/protobuf/any.pb.h>
#include <google/protobuf/message.h>

#include <functional>
#include <memory>
#include <optional>

#include "brokrpc/impl/stream_ops.h"
#include "brokrpc/status.h"

namespace brokrpc {

// Server side of a server-streaming call: writes responses. Write blocks while the client has
// no room (flow control) and returns false once the stream is over (client gone, cancelled,
// deadline passed). Valid during the handler; one writing thread at a time.
template <typename W>
class ServerWriter {
 public:
  explicit ServerWriter(internal::StreamCore* core) : core_(core) {}
  bool Write(const W& message) { return internal::StreamWrite(*core_, message); }

 private:
  internal::StreamCore* core_;
};

// Server side of a client-streaming call: reads requests until the client half-closes (false).
template <typename R>
class ServerReader {
 public:
  explicit ServerReader(internal::StreamCore* core) : core_(core) {}
  bool Read(R* message) { return internal::StreamRead(*core_, message); }

 private:
  internal::StreamCore* core_;
};

// Server side of a bidirectional call. Read and Write may run on two threads at once.
template <typename W, typename R>
class ServerReaderWriter {
 public:
  explicit ServerReaderWriter(internal::StreamCore* core) : core_(core) {}
  bool Write(const W& message) { return internal::StreamWrite(*core_, message); }
  bool Read(R* message) { return internal::StreamRead(*core_, message); }

 private:
  internal::StreamCore* core_;
};

// Client side of a server-streaming call. Read until false, then Finish() for the status.
// Destroying it before Finish() cancels the call. The ClientContext must outlive it.
template <typename R>
class ClientReader {
 public:
  explicit ClientReader(std::shared_ptr<internal::StreamCore> core) : core_(std::move(core)) {}
  ~ClientReader() { internal::StreamCancel(*core_); }
  ClientReader(const ClientReader&) = delete;
  ClientReader& operator=(const ClientReader&) = delete;

  bool Read(R* message) { return internal::StreamRead(*core_, message); }
  // Waits for the end of the stream; its final status.
  Status Finish() { return internal::StreamFinish(*core_); }

  // Asynchronous forms (callbacks on a handler-pool thread): the next message, or nullopt at
  // the end; one read pending at a time. Keep the reader alive until the callbacks ran.
  void ReadAsync(std::function<void(std::optional<R>)> done) {
    internal::StreamReadAsync(*core_, internal::TypedRead<R>(std::move(done)));
  }
  void FinishAsync(std::function<void(Status)> done) {
    internal::StreamFinishAsync(*core_, std::move(done));
  }

 private:
  std::shared_ptr<internal::StreamCore> core_;
};

// Client side of a client-streaming call. Write, then Finish(): it half-closes, waits for the
// response (stored where the stub was told) and returns the status.
template <typename W, typename Response>
class ClientWriter {
 public:
  ClientWriter(std::shared_ptr<internal::StreamCore> core, Response* response)
      : core_(std::move(core)), response_(response) {}
  ~ClientWriter() { internal::StreamCancel(*core_); }
  ClientWriter(const ClientWriter&) = delete;
  ClientWriter& operator=(const ClientWriter&) = delete;

  bool Write(const W& message) { return internal::StreamWrite(*core_, message); }
  // Queues `message` until the server has room; `done(sent)` runs on a handler-pool thread.
  void WriteAsync(const W& message, std::function<void(bool)> done) {
    internal::StreamWriteAsync(*core_, message, std::move(done));
  }
  // Half-closes: the server's reader sees the end. Idempotent.
  bool WritesDone() { return internal::StreamWritesDone(*core_); }
  Status Finish() {
    WritesDone();
    bool got = internal::StreamRead(*core_, response_);
    Status s = internal::StreamFinish(*core_);
    if (s.ok() && !got) return InternalError("the server ended the stream without a response");
    return s;
  }

 private:
  std::shared_ptr<internal::StreamCore> core_;
  Response* response_;
};

// Client side of a bidirectional call. Write and Read may run on two threads at once;
// WritesDone half-closes; Finish returns the final status once the server ended the stream.
template <typename W, typename R>
class ClientReaderWriter {
 public:
  explicit ClientReaderWriter(std::shared_ptr<internal::StreamCore> core)
      : core_(std::move(core)) {}
  ~ClientReaderWriter() { internal::StreamCancel(*core_); }
  ClientReaderWriter(const ClientReaderWriter&) = delete;
  ClientReaderWriter& operator=(const ClientReaderWriter&) = delete;

  bool Write(const W& message) { return internal::StreamWrite(*core_, message); }
  bool WritesDone() { return internal::StreamWritesDone(*core_); }
  bool Read(R* message) { return internal::StreamRead(*core_, message); }
  Status Finish() { return internal::StreamFinish(*core_); }

  // Asynchronous forms, as on ClientReader and ClientWriter.
  void ReadAsync(std::function<void(std::optional<R>)> done) {
    internal::StreamReadAsync(*core_, internal::TypedRead<R>(std::move(done)));
  }
  void WriteAsync(const W& message, std::function<void(bool)> done) {
    internal::StreamWriteAsync(*core_, message, std::move(done));
  }
  void FinishAsync(std::function<void(Status)> done) {
    internal::StreamFinishAsync(*core_, std::move(done));
  }

 private:
  std::shared_ptr<internal::StreamCore> core_;
};

}  // namespace brokrpc

#endif  // BROKRPC_STREAM_H_
