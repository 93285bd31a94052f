// How an emulator run is shown: the live progress line, the final report
// as text, and the --report-json document.
#pragma once

#include <string>

#include "emulate/emulator.h"

namespace pinpipe::emulate {

// "  12.0s  sent 60000  accepted 59400  rejected 600  failed 0  throttled 0  5000 rec/s"
std::string ProgressLine(const EmulatorCounts& counts);

// Several lines ending in '\n': counts, rates and latency percentiles (ms).
std::string ReportText(const EmulatorReport& report, const std::string& target);

// One JSON object (with a trailing newline); latencies in milliseconds.
std::string ReportJson(const EmulatorReport& report, const EmulatorOptions& options, const std::string& target);

}  // namespace pinpipe::emulate
