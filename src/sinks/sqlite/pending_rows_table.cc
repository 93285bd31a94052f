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

void ResultText(sqlite3_context* ctx, std::string_view v) {
  sqlite3_result_text64(ctx, v.data() != nullptr ? v.data() : "", v.size(), SQLITE_STATIC, SQLITE_UTF8);
}
void ResultText(sqlite3_context* ctx, const std::optional<std::string_view>& v) {
  if (v) {
    ResultText(ctx, *v);
  } else {
    sqlite3_result_null(ctx);
  }
}
void ResultInt(sqlite3_context* ctx, const std::optional<int64_t>& v) {
  if (v) {
    sqlite3_result_int64(ctx, *v);
  } else {
    sqlite3_result_null(ctx);
  }
}
void ResultBool(sqlite3_context* ctx, const std::optional<bool>& v) {
  if (v) {
    sqlite3_result_int(ctx, *v ? 1 : 0);
  } else {
    sqlite3_result_null(ctx);
  }
}

int Column(sqlite3_vtab_cursor* cursor, sqlite3_context* ctx, int column) {
  const PendingRows& rows = *RowsOf(cursor);
  size_t i = reinterpret_cast<Cursor*>(cursor)->i;
  const PendingRow& pending = rows.rows()[i];
  const WarehouseRowView& r = *pending.row;
  switch (column) {
    case 0: ResultText(ctx, r.unique_id); break;
    case 1: ResultInt(ctx, r.ind); break;
    case 2: ResultText(ctx, r.title); break;
    case 3: ResultText(ctx, r.description); break;
    case 4: ResultText(ctx, r.poster_name); break;
    case 5: ResultInt(ctx, r.follower_count); break;
    case 6: ResultText(ctx, r.tag_list_json); break;
    case 7: ResultBool(ctx, r.is_video); break;
    case 8: ResultText(ctx, r.media_type); break;
    case 9: ResultText(ctx, r.image_src); break;
    case 10: ResultBool(ctx, r.downloaded); break;
    case 11: ResultText(ctx, r.save_location); break;
    case 12: ResultText(ctx, r.category); break;
    case 13: ResultText(ctx, r.ingested_at_text); break;
    case 14: ResultText(ctx, rows.dt()); break;
    case 15: sqlite3_result_int64(ctx, r.partition); break;
    case 16: sqlite3_result_int64(ctx, r.offset); break;
    default: sqlite3_result_int64(ctx, pending.rowid); break;
  }
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

Status RegisterPendingRowsTable(sqlite3* db, PendingRows* rows) {
  int rc = sqlite3_create_module_v2(db, "pinpipe_pending_rows", Module(), rows, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : SqliteStatus(db, rc, "register pinpipe_pending_rows");
}

}  // namespace pinpipe::sinks::sqlite
