// Small text helpers shared by tests: a command's output as lines, and a
// byte string written as integers (for binary wire formats).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace pinpipe::testing {

// The lines of `text` without their '\n'; a last line without one counts.
inline std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

inline std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

}  // namespace pinpipe::testing
