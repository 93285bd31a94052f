// The ingest API's server flags (listen address, threads, bearer token,
// limits and timeouts), shared by `pinpipe api` and `pinpipe up` so both
// serve the same API with the same knobs.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "core/status.h"
#include "ingest/api_server.h"

namespace pinpipe::cli {

struct ApiServerFlags {
  ingest::ApiOptions server;
  std::string token_file;
  std::string api_token;  // normally from PINPIPE_API_TOKEN
};

void AddApiServerFlags(CLI::App* sub, ApiServerFlags* flags);

// The server options with the bearer token loaded from --token-file or
// --api-token/PINPIPE_API_TOKEN (empty token: no auth).
Result<ingest::ApiOptions> ApiServerOptions(const ApiServerFlags& flags);

}  // namespace pinpipe::cli
