// Turns librdkafka error codes into pinpipe Status codes, so callers see the
// bus's contract (kUnavailable = retry later, kResourceExhausted =
// backpressure, kOutOfRange, kNotFound) whatever the backend.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string_view>

#include "core/status.h"

namespace pinpipe::bus::kafka {

// The StatusCode librdkafka's `err` means for a caller of the bus.
StatusCode KafkaErrorCode(rd_kafka_resp_err_t err);

// Status "<context>: <librdkafka's text> (<ERROR_NAME>)[; hint]" with the
// code of KafkaErrorCode. A hint is added for authentication and
// authorization failures. REQUIRES: err != RD_KAFKA_RESP_ERR_NO_ERROR.
Status KafkaError(rd_kafka_resp_err_t err, std::string_view context, std::string_view detail = {});

}  // namespace pinpipe::bus::kafka
