// pinpipe_pending_rows: an eponymous-only virtual table (sqlite's vtab API)
// over PendingRows. Written by hand because it is glue to our own row type.
#include "sinks/sqlite/pending_rows_table.h"

#include <sqlite3.h>

#include <optional>

#include "sinks/sqlite/sqlite_db.h"

namespace pinpipe::sinks::sqlite {
namespace {

constexpr char kSchema[] =
    "CREATE TABLE x(unique_id, ind, title, description, poster_name, follower_count, tag_list, is_video, "
    "media_type, image_src, downloaded, save_location, category, ingested_at, dt, bus_partition, bus_offset, "
    "row_id)";

struct Table {
  sqlite3_vtab base;  // first: sqlite hands back pointers to it
  PendingRows* rows;
};

struct Cursor {
  sqlite3_vtab_cursor base;  // first, as above
  size_t i;
};

PendingRows* RowsOf(sqlite3_vtab_cursor* cursor) { return reinterpret_cast<Table*>(cursor->pVtab)->rows; }

int Connect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char**) {
  int rc = sqlite3_declare_vtab(db, kSchema);
  if (rc != SQLITE_OK) return rc;
  auto* table = new Table{};
  table->rows = static_cast<PendingRows*>(aux);
  *out = &table->base;
  return SQLITE_OK;
}

int Disconnect(sqlite3_vtab* table) {
  delete reinterpret_cast<Table*>(table);
  return SQLITE_OK;
}

int BestIndex(sqlite3_vtab*, sqlite3_index_info* info) {
  info->estimatedCost = 1000;  // one full scan is all it offers
  return SQLITE_OK;
}

int Open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = &(new Cursor{})->base;
  return SQLITE_OK;
}

int Close(sqlite3_vtab_cursor* cursor) {
  delete reinterpret_cast<Cursor*>(cursor);
  return SQLITE_OK;
}

int Filter(sqlite3_vtab_cursor* cursor, int, const char*, int, sqlite3_value**) {
  reinterpret_cast<Cursor*>(cursor)->i = 0;
  return SQLITE_OK;
}

int Next(sqlite3_vtab_cursor* cursor) {
  ++reinterpret_cast<Cursor*>(cursor)->i;
  return SQLITE_OK;
}

int Eof(sqlite3_vtab_cursor* cursor) {
  return reinterpret_cast<Cursor*>(cursor)->i >= RowsOf(cursor)->rows().size() ? 1 : 0;
}

std::optional<int64_t> AsInt(const std::optional<bool>& v) {
  if (!v) return std::nullopt;
  return *v ? 1 : 0;
}

// The one mapping of a row to the table's columns: column `column` of
// `pending` handed to `put` as an optional text or an optional integer
// (nullopt: NULL).
template <typename Put>
auto PutColumn(const PendingRow& pending, std::string_view dt, int column, Put&& put) {
  using Text = std::optional<std::string_view>;
  const WarehouseRowView& r = *pending.row;
  switch (column) {
    case 0: return put(Text(r.unique_id));
    case 1: return put(r.ind);
    case 2: return put(r.title);
    case 3: return put(r.description);
    case 4: return put(r.poster_name);
    case 5: return put(r.follower_count);
    case 6: return put(Text(r.tag_list_json));
    case 7: return put(AsInt(r.is_video));
    case 8: return put(r.media_type);
    case 9: return put(r.image_src);
    case 10: return put(AsInt(r.downloaded));
    case 11: return put(r.save_location);
    case 12: return put(r.category);
    case 13: return put(Text(r.ingested_at_text));
    case 14: return put(Text(dt));
    case 15: return put(std::optional<int64_t>(r.partition));
    case 16: return put(std::optional<int64_t>(r.offset));
    default: return put(std::optional<int64_t>(pending.rowid));
  }
}
constexpr int kColumnCount = 18;

struct ResultOut {
  sqlite3_context* ctx;
  void operator()(const std::optional<std::string_view>& v) const {
    if (!v) return sqlite3_result_null(ctx);
    sqlite3_result_text64(ctx, v->data() != nullptr ? v->data() : "", v->size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  void operator()(const std::optional<int64_t>& v) const {
    if (!v) return sqlite3_result_null(ctx);
    sqlite3_result_int64(ctx, *v);
  }
};

struct BindOut {
  Statement& statement;
  int index;
  Status operator()(const std::optional<std::string_view>& v) const {
    return v ? statement.BindTextNoCopy(index, *v) : statement.BindNull(index);
  }
  Status operator()(const std::optional<int64_t>& v) const {
    return v ? statement.BindInt(index, *v) : statement.BindNull(index);
  }
};

int Column(sqlite3_vtab_cursor* cursor, sqlite3_context* ctx, int column) {
  const PendingRows& rows = *RowsOf(cursor);
  PutColumn(rows.rows()[reinterpret_cast<Cursor*>(cursor)->i], rows.dt(), column, ResultOut{ctx});
  return SQLITE_OK;
}

int Rowid(sqlite3_vtab_cursor* cursor, sqlite3_int64* out) {
  *out = static_cast<sqlite3_int64>(reinterpret_cast<Cursor*>(cursor)->i);
  return SQLITE_OK;
}

// xCreate null: eponymous-only (usable by name, never CREATE VIRTUAL TABLE).
const sqlite3_module* Module() {
  static const sqlite3_module module = [] {
    sqlite3_module m{};  // every other method absent
    m.xConnect = Connect;
    m.xBestIndex = BestIndex;
    m.xDisconnect = Disconnect;
    m.xDestroy = Disconnect;
    m.xOpen = Open;
    m.xClose = Close;
    m.xFilter = Filter;
    m.xNext = Next;
    m.xEof = Eof;
    m.xColumn = Column;
    m.xRowid = Rowid;
    return m;
  }();
  return &module;
}

}  // namespace

Status BindPendingRow(Statement& statement, const PendingRow& row, std::string_view dt) {
  for (int column = 0; column < kColumnCount; ++column) {
    PINPIPE_RETURN_IF_ERROR(PutColumn(row, dt, column, BindOut{statement, column + 1}));
  }
  return Status::Ok();
}

Status RegisterPendingRowsTable(sqlite3* db, PendingRows* rows) {
  int rc = sqlite3_create_module_v2(db, "pinpipe_pending_rows", Module(), rows, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : SqliteStatus(db, rc, "register pinpipe_pending_rows");
}

}  // namespace pinpipe::sinks::sqlite
