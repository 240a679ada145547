#include "raw_flood.h"

#include <amqp.h>

#include <chrono>
#include <thread>

#include "raw_amqp.h"

namespace bench {

double RawPublishConsumeRate(const std::string& host, int port, int count,
                             const std::string& payload) {
  amqp_connection_state_t consumer = Open(host, port);
  amqp_queue_declare_ok_t* ok =
      amqp_queue_declare(consumer, 1, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
  Check(amqp_get_rpc_reply(consumer), "queue.declare (flood)");
  std::string queue(static_cast<char*>(ok->queue.bytes), ok->queue.len);
  amqp_basic_qos(consumer, 1, 0, 64, 0);
  amqp_basic_consume(consumer, 1, Bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  Check(amqp_get_rpc_reply(consumer), "basic.consume (flood)");
  auto start = std::chrono::steady_clock::now();
  std::thread publisher([&] {
    amqp_connection_state_t conn = Open(host, port);
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.content_type = amqp_cstring_bytes("application/protobuf");
    for (int i = 0; i < count; ++i) {
      amqp_basic_publish(conn, 1, amqp_empty_bytes, Bytes(queue), 0, 0, &props, Bytes(payload));
    }
    Close(conn);
  });
  for (int received = 0; received < count; ++received) {
    amqp_envelope_t env;
    amqp_maybe_release_buffers(consumer);
    Check(amqp_consume_message(consumer, &env, nullptr, 0), "consume (flood)");
    amqp_basic_ack(consumer, 1, env.delivery_tag, 0);
    amqp_destroy_envelope(&env);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  publisher.join();
  Close(consumer);
  return count / seconds;
}

}  // namespace bench
