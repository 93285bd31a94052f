// OpenLiveSink: picks the backend from the URL scheme.
#include <string>
#include <string_view>
#include <vector>

#include "sinks/live_sink.h"
#include "sinks/postgres/postgres_live_sink.h"
#include "sinks/sqlite/sqlite_live_sink.h"

namespace pinpipe::sinks {

Result<std::unique_ptr<LiveSink>> OpenLiveSink(const std::string& url, const LiveSinkOptions& options) {
  std::string_view u = url;
  if (u.starts_with("sqlite:")) {
    std::string path(u.substr(7));
    if (path.empty()) return Status::InvalidArgument("--sink sqlite: needs a file path, e.g. sqlite:live.db");
    PINPIPE_ASSIGN_OR_RETURN(auto sink, sqlite::SqliteLiveSink::Open(path, options));
    return std::unique_ptr<LiveSink>(std::move(sink));
  }
  if (u.starts_with("postgresql://") || u.starts_with("postgres://")) {
    PINPIPE_ASSIGN_OR_RETURN(auto sink, postgres::PostgresLiveSink::Open(url, options));
    return std::unique_ptr<LiveSink>(std::move(sink));
  }
  return Status::InvalidArgument("unknown sink URL '" + url +
                                 "'; use sqlite:<path> or postgresql://user@host:5432/db");
}

int DefaultLiveSinkConnections(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://") ? 2 : 1;
}

Result<std::vector<std::unique_ptr<LiveSink>>> OpenLiveSinks(const std::string& url, const LiveSinkOptions& options,
                                                             int count) {
  if (count <= 0) count = DefaultLiveSinkConnections(url);
  std::vector<std::unique_ptr<LiveSink>> sinks;
  for (int i = 0; i < count; ++i) {
    PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<LiveSink> sink, OpenLiveSink(url, options));
    sinks.push_back(std::move(sink));
  }
  return sinks;
}

}  // namespace pinpipe::sinks
