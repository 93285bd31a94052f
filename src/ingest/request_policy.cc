// Routing, content types and the constant-time token check.
#include "ingest/request_policy.h"

#include <cctype>

namespace pinpipe::ingest {

Route RouteOf(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/pin" || path == "/pin/") return Route::kPin;
  if (path == "/pins" || path == "/pins/") return Route::kPins;
  if (path == "/healthz") return Route::kHealthz;
  if (path == "/readyz") return Route::kReadyz;
  if (path == "/metrics") return Route::kMetrics;
  return Route::kUnknown;
}

std::string_view RouteLabel(Route route) {
  switch (route) {
    case Route::kPin: return "/pin";
    case Route::kPins: return "/pins";
    case Route::kHealthz: return "/healthz";
    case Route::kReadyz: return "/readyz";
    case Route::kMetrics: return "/metrics";
    case Route::kUnknown: break;
  }
  return "other";
}

bool MethodAllowed(Route route, std::string_view method) {
  if (route == Route::kPin || route == Route::kPins) return method == "POST";
  return method == "GET" || method == "HEAD";
}

std::string_view AllowedMethods(Route route) {
  return route == Route::kPin || route == Route::kPins ? "POST" : "GET, HEAD";
}

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

BodyType ClassifyContentType(std::string_view content_type, bool present) {
  if (!present) return BodyType::kJson;
  std::string_view media = TrimSpaces(content_type.substr(0, content_type.find(';')));
  if (EqualsIgnoreCase(media, "application/json")) return BodyType::kJson;
  if (EqualsIgnoreCase(media, "application/x-ndjson") || EqualsIgnoreCase(media, "application/ndjson")) {
    return BodyType::kNdjson;
  }
  return BodyType::kUnsupported;
}

bool BearerTokenMatches(std::string_view authorization, std::string_view token) {
  authorization = TrimSpaces(authorization);
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() < kScheme.size() || !EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  std::string_view given = TrimSpaces(authorization.substr(kScheme.size()));
  // Every byte of the expected token is compared whatever the input, and
  // the length difference is folded into the same accumulator.
  unsigned diff = given.size() == token.size() ? 0u : 1u;
  for (size_t i = 0; i < token.size(); ++i) {
    unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= g ^ static_cast<unsigned char>(token[i]);
  }
  return diff == 0 && !token.empty();
}

}  // namespace pinpipe::ingest
