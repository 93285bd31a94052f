// AppendJsonString: the public face of WriteJsonString (json_out.h).
#include "pin/json_out.h"
#include "pin/pin.h"

namespace pinpipe::pin {

void AppendJsonString(std::string_view s, std::string* out) {
  StringOut sink(out);
  WriteJsonString(s, sink);
}

}  // namespace pinpipe::pin
