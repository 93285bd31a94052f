// Picks the warehouse backend a URL names.
#include "sinks/sqlite/sqlite_warehouse.h"
#include "sinks/warehouse.h"

namespace pinpipe::sinks {

Result<std::unique_ptr<Warehouse>> OpenWarehouse(const std::string& url, const WarehouseOptions& options) {
  constexpr std::string_view kForms = "expected sqlite:<path> or clickhouse://host:8123/db";
  if (url.starts_with("sqlite:")) {
    std::string path = url.substr(7);
    if (path.starts_with("//")) path = path.substr(2);  // sqlite:///abs/path
    if (path.empty()) return Status::InvalidArgument("warehouse URL '" + url + "' has no path; " + std::string(kForms));
    PINPIPE_ASSIGN_OR_RETURN(auto warehouse, sqlite::SqliteWarehouse::Open(path, options));
    return std::unique_ptr<Warehouse>(std::move(warehouse));
  }
  if (url.starts_with("clickhouse://")) {
    return Status::InvalidArgument("warehouse URL '" + url +
                                   "': the ClickHouse backend is not built yet; use sqlite:<path> for now");
  }
  return Status::InvalidArgument("unknown warehouse URL '" + url + "'; " + std::string(kForms));
}

}  // namespace pinpipe::sinks
