#include "method_shape.h"

namespace brokrpc::plugin {

namespace {

const char kStatus[] = "::brokrpc::Status";
const char kUnimplemented[] =
    "::brokrpc::Status(::brokrpc::StatusCode::kUnimplemented, $unimplemented$)";

// "T1 n1, T2 n2", each name wrapped in /* */ when `commented` (an unused parameter).
std::string JoinParams(const std::vector<Param>& params, bool commented = false) {
  std::string out;
  for (const Param& p : params) {
    if (!out.empty()) out += ", ";
    out += p.type + " " + (commented ? "/*" + p.name + "*/" : p.name);
  }
  return out;
}

// The ServerContext parameter first, then the shape's.
std::vector<Param> WithServerContext(const std::vector<Param>& params) {
  std::vector<Param> all{{"::brokrpc::ServerContext*", "context"}};
  all.insert(all.end(), params.begin(), params.end());
  return all;
}

// A call of ::brokrpc::internal::<fn><<targs>> for this method, with `args` after the context.
std::string Call(const std::string& fn, const std::string& targs, const std::string& args) {
  return "::brokrpc::internal::" + fn + "<" + targs +
         ">(channel_.get(), $Service$::spec(), $Service$::$kIndex$, context" + args + ")";
}

const Param kClientContext{"::brokrpc::ClientContext*", "context"};
const Param kRequest{"const $Request$&", "request"};
const char kBoth[] = "$Request$, $Response$";

}  // namespace

std::string StubMethod::Params() const { return JoinParams(params); }

std::string StubMethod::Declaration(bool pure) const {
  return (pure ? "virtual " : "") + ret + " " + name + "(" + Params() + ")" +
         (pure ? " = 0;" : " override;");
}

std::string StubMethod::MockMethod() const {
  // The return type in parentheses: it may hold a comma (ClientWriter<Req, Resp>).
  return "MOCK_METHOD((" + ret + "), " + name + ", (" + Params() + "), (override));";
}

std::string StubMethod::Definition() const {
  return ret + " $Service$::Stub::" + name + "(" + Params() + ") {\n  " + statement + ";\n}\n\n";
}

std::string MethodText::ServerSignature() const {
  return "virtual " + server_ret + " $Method$(" + JoinParams(WithServerContext(server_params)) +
         ");";
}

std::string MethodText::Registration() const {
  std::string args;
  for (const Param& p : WithServerContext(server_params)) {
    args += (args.empty() ? "" : ", ") + p.name;
  }
  return "::brokrpc::Service::" + add_handler + "(\n    $Service$::$kIndex$, [this](" +
         JoinParams(WithServerContext(server_params)) + ") {\n      return this->$Method$(" + args +
         ");\n    });\n";
}

std::string MethodText::DefaultBody() const {
  return server_ret + " $Service$::Service::$Method$(" +
         JoinParams(WithServerContext(server_params), /*commented=*/true) + ") {\n  return " +
         unimplemented + ";\n}\n\n";
}

MethodText MethodTextOf(Shape shape) {
  switch (shape) {
    case Shape::kFireAndForget: {
      const Param message{"const $Request$&", "message"};
      return {"kFireAndForget",
              "::brokrpc::ConsumeResult",
              {{"const $Request$*", "message"}},
              "AddFireAndForgetHandler<$Request$>",
              std::string("::brokrpc::ConsumeResult::Reject(") + kUnimplemented + ")",
              {{"Fire-and-forget: OK once the broker confirmed and routed the message.",
                kStatus,
                "$Method$",
                {kClientContext, message},
                "return " + Call("BlockingFireAndForget", "$Request$", ", message")},
               {"",
                "std::future<::brokrpc::Status>",
                "$AsyncMethod$",
                {kClientContext, message},
                "return " + Call("AsyncFireAndForget", "$Request$", ", message")}}};
    }
    case Shape::kServerStreaming:
      return {"kServerStreaming",
              kStatus,
              {{"const $Request$*", "request"}, {"::brokrpc::ServerWriter<$Response$>*", "writer"}},
              "AddServerStreamingHandler<$Request$, $Response$>",
              kUnimplemented,
              {{"",
                "std::unique_ptr<::brokrpc::ClientReader<$Response$>>",
                "$Method$",
                {kClientContext, kRequest},
                "return " + Call("ServerStreamingCall", kBoth, ", request")}}};
    case Shape::kClientStreaming:
      return {"kClientStreaming",
              kStatus,
              {{"::brokrpc::ServerReader<$Request$>*", "reader"}, {"$Response$*", "response"}},
              "AddClientStreamingHandler<$Request$, $Response$>",
              kUnimplemented,
              {{"The response is stored in `*response` by the writer's Finish().",
                "std::unique_ptr<::brokrpc::ClientWriter<$Request$, $Response$>>",
                "$Method$",
                {kClientContext, {"$Response$*", "response"}},
                "return " + Call("ClientStreamingCall", kBoth, ", response")}}};
    case Shape::kBidi:
      return {"kBidiStreaming",
              kStatus,
              {{"::brokrpc::ServerReaderWriter<$Response$, $Request$>*", "stream"}},
              "AddBidiStreamingHandler<$Request$, $Response$>",
              kUnimplemented,
              {{"",
                "std::unique_ptr<::brokrpc::ClientReaderWriter<$Request$, $Response$>>",
                "$Method$",
                {kClientContext},
                "return " + Call("BidiStreamingCall", kBoth, "")}}};
    case Shape::kUnary:
      break;
  }
  return {"kUnary",
          kStatus,
          {{"const $Request$*", "request"}, {"$Response$*", "response"}},
          "AddUnaryHandler<$Request$, $Response$>",
          kUnimplemented,
          {{"",
            kStatus,
            "$Method$",
            {kClientContext, kRequest, {"$Response$*", "response"}},
            "return " + Call("BlockingUnaryCall", kBoth, ", request, response")},
           {"",
            "std::future<::brokrpc::StatusOr<$Response$>>",
            "$AsyncMethod$",
            {kClientContext, kRequest},
            "return " + Call("AsyncUnaryCall", kBoth, ", request")},
           {"`on_done` runs once, on a handler-pool thread.",
            "void",
            "$AsyncMethod$",
            {kClientContext,
             kRequest,
             {"std::function<void(::brokrpc::StatusOr<$Response$>)>", "on_done"}},
            Call("CallbackUnaryCall", kBoth, ", request, std::move(on_done)")}}};
}

}  // namespace brokrpc::plugin
