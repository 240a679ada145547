#include "support/stream_service.h"

#include <chrono>
#include <thread>

namespace brokrpc::testing {

StreamSpec::StreamSpec(std::string exchange) : exchange_(std::move(exchange)) {
  const char* names[4] = {"Range", "Sum", "Chat", "Hold"};
  const MethodKind kinds[4] = {MethodKind::kServerStreaming, MethodKind::kClientStreaming,
                               MethodKind::kBidiStreaming, MethodKind::kServerStreaming};
  const char* in[4] = {"google.protobuf.Int32Value", "google.protobuf.Int32Value",
                       "google.protobuf.StringValue", "google.protobuf.Int32Value"};
  const char* out[4] = {"google.protobuf.Int32Value", "google.protobuf.Int64Value",
                        "google.protobuf.StringValue", "google.protobuf.Int32Value"};
  spec_.full_name = "test.Streams";
  spec_.package = "test";
  spec_.exchange = ExchangeOptions{.name = exchange_, .auto_delete = true};
  for (int i = 0; i < 4; ++i) {
    keys_[i] = std::string("/test/Streams/") + names[i];
    spec_.methods.push_back(MethodSpec{.name = names[i],
                                       .routing_key = keys_[i],
                                       .kind = kinds[i],
                                       .request_type = in[i],
                                       .response_type = out[i],
                                       .queue = {.name = keys_[i], .auto_delete = true}});
  }
}

StreamService::StreamService(const StreamSpec& spec, std::string instance)
    : Service(spec.spec()), instance_(std::move(instance)) {
  AddServerStreamingHandler<Int32Value, Int32Value>(
      StreamSpec::kRange,
      [this](ServerContext*, const Int32Value* n, ServerWriter<Int32Value>* writer) {
        RecordThread();
        int count = n->value() < 0 ? -n->value() : n->value();
        for (int i = 0; i < count; ++i) {
          Int32Value v;
          v.set_value(i);
          auto start = std::chrono::steady_clock::now();
          if (!writer->Write(v)) return CancelledError("the client went away");
          int64_t waited = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::steady_clock::now() - start)
                               .count();
          int64_t prev = longest_write_wait_us.load();
          while (waited > prev && !longest_write_wait_us.compare_exchange_weak(prev, waited)) {
          }
        }
        if (n->value() < 0) return AbortedError("stopped after " + std::to_string(count));
        return OkStatus();
      });
  AddClientStreamingHandler<Int32Value, Int64Value>(
      StreamSpec::kSum, [](ServerContext*, ServerReader<Int32Value>* reader, Int64Value* sum) {
        Int32Value v;
        int64_t total = 0;
        while (reader->Read(&v)) total += v.value();
        sum->set_value(total);
        return OkStatus();
      });
  AddBidiStreamingHandler<StringValue, StringValue>(
      StreamSpec::kChat,
      [this](ServerContext*, ServerReaderWriter<StringValue, StringValue>* stream) {
        ++chats;
        StringValue in;
        while (stream->Read(&in)) {
          StringValue out;
          out.set_value(instance_ + ":" + in.value());
          if (!stream->Write(out)) break;
        }
        return OkStatus();
      });
  AddServerStreamingHandler<Int32Value, Int32Value>(
      StreamSpec::kHold,
      [this](ServerContext* ctx, const Int32Value* n, ServerWriter<Int32Value>* writer) {
        RecordThread();
        ++hold_running;
        Int32Value v;
        v.set_value(n->value());
        writer->Write(v);
        // Polls: ServerContext offers IsCancelled() only, no cancellation callback.
        while (!ctx->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ++hold_saw_cancel;
        --hold_running;
        return CancelledError("held until cancelled");
      });
}

void StreamService::RecordThread() {
  std::lock_guard<std::mutex> lock(threads_mu_);
  threads_.insert(std::this_thread::get_id());
}

std::set<std::thread::id> StreamService::HandlerThreads() const {
  std::lock_guard<std::mutex> lock(threads_mu_);
  return threads_;
}

}  // namespace brokrpc::testing
