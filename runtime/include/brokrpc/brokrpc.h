// The brokrpc public API in one include.
#ifndef BROKRPC_BROKRPC_H_
#define BROKRPC_BROKRPC_H_

#include "brokrpc/broker.h"          // IWYU pragma: export
#include "brokrpc/channel.h"         // IWYU pragma: export
#include "brokrpc/client_context.h"  // IWYU pragma: export
#include "brokrpc/consume_result.h"  // IWYU pragma: export
#include "brokrpc/consumer.h"        // IWYU pragma: export
#include "brokrpc/interceptor.h"     // IWYU pragma: export
#include "brokrpc/logging.h"         // IWYU pragma: export
#include "brokrpc/message.h"         // IWYU pragma: export
#include "brokrpc/metrics.h"         // IWYU pragma: export
#include "brokrpc/middlewares.h"     // IWYU pragma: export
#include "brokrpc/options.h"         // IWYU pragma: export
#include "brokrpc/publisher.h"       // IWYU pragma: export
#include "brokrpc/queue_type.h"      // IWYU pragma: export
#include "brokrpc/rpc_spec.h"        // IWYU pragma: export
#include "brokrpc/serializer.h"      // IWYU pragma: export
#include "brokrpc/server.h"          // IWYU pragma: export
#include "brokrpc/server_context.h"  // IWYU pragma: export
#include "brokrpc/service.h"         // IWYU pragma: export
#include "brokrpc/status.h"          // IWYU pragma: export
#include "brokrpc/status_or.h"       // IWYU pragma: export
#include "brokrpc/trace_context.h"   // IWYU pragma: export

#endif  // BROKRPC_BROKRPC_H_
