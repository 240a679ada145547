#include "raw_contract.h"

namespace bench {

std::string RawContract::Describe() const {
  auto flag = [](const char* name, bool on) { return std::string(name) + (on ? "=1" : "=0"); };
  return flag("request_confirms", request_confirms) + " " + flag("mandatory", mandatory) + " " +
         flag("deadline", deadline) + " " + flag("ids", ids) + " " +
         flag("reply_confirms", reply_confirms) + " " + flag("reply_queue_acks", reply_queue_acks);
}

}  // namespace bench
