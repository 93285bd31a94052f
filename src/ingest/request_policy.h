// What the API decides from a request's head alone: the route, whether the
// method fits it, whether the content type is one we read, and whether the
// bearer token matches. Pure functions, no I/O.
#pragma once

#include <string_view>

namespace pinpipe::ingest {

enum class Route { kPin, kPins, kHealthz, kReadyz, kMetrics, kUnknown };
inline constexpr int kRouteCount = 6;

// The path before any '?': /pin and /pin/ -> kPin; /pins and /pins/ -> kPins.
Route RouteOf(std::string_view target);

// Metric label: "/pin", "/pins", "/healthz", "/readyz", "/metrics", "other".
std::string_view RouteLabel(Route route);

// POST for /pin and /pins; GET or HEAD for the others.
bool MethodAllowed(Route route, std::string_view method);
// The Allow header for a 405.
std::string_view AllowedMethods(Route route);

enum class BodyType {
  kJson,         // application/json (and a missing Content-Type, see docs/api.md)
  kNdjson,       // application/x-ndjson, application/ndjson
  kUnsupported,  // anything else -> 415
};

// Media type compared case-insensitively; parameters (";charset=utf-8") ignored.
BodyType ClassifyContentType(std::string_view content_type, bool present);

// True when `authorization` is "Bearer <token>" (scheme case-insensitive).
// Takes the same time for every wrong token of a given length, so response
// timing does not reveal how much of a guess was right.
bool BearerTokenMatches(std::string_view authorization, std::string_view token);

}  // namespace pinpipe::ingest
