// sqlite3 behind Status: every failing call returns sqlite's own message.
#include "sinks/sqlite/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace pinpipe::sinks::sqlite {

Status SqliteStatus(sqlite3* db, int rc, std::string_view what) {
  std::string msg(what);
  if (!msg.empty()) msg += ": ";
  // sqlite3_errmsg describes the connection's most recent failure, which is
  // this one; fall back to the generic text when there is no connection.
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(msg));
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::IOError(std::move(msg));
    case SQLITE_NOMEM:
      return Status::ResourceExhausted(std::move(msg));
    case SQLITE_INTERRUPT:
      return Status::Cancelled(std::move(msg));
    default:
      return Status::InvalidArgument(std::move(msg));
  }
}

// --- Statement -------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Status Statement::Check(int rc, std::string_view what) const {
  if (rc == SQLITE_OK) return Status::Ok();
  return SqliteStatus(db_, rc, what);
}

Status Statement::BindNull(int index) {
  PINPIPE_CHECK(stmt_ != nullptr);
  return Check(sqlite3_bind_null(stmt_, index), "bind");
}

Status Statement::BindInt(int index, int64_t v) {
  PINPIPE_CHECK(stmt_ != nullptr);
  return Check(sqlite3_bind_int64(stmt_, index, v), "bind");
}

Status Statement::BindDouble(int index, double v) {
  PINPIPE_CHECK(stmt_ != nullptr);
  return Check(sqlite3_bind_double(stmt_, index, v), "bind");
}

Status Statement::BindText(int index, std::string_view v) {
  PINPIPE_CHECK(stmt_ != nullptr);
  // A non-null pointer even for "" so the value is an empty string, not NULL.
  const char* data = v.data() != nullptr ? v.data() : "";
  return Check(sqlite3_bind_text64(stmt_, index, data, v.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
               "bind");
}

Status Statement::BindTextNoCopy(int index, std::string_view v) {
  PINPIPE_CHECK(stmt_ != nullptr);
  const char* data = v.data() != nullptr ? v.data() : "";
  return Check(sqlite3_bind_text64(stmt_, index, data, v.size(), SQLITE_STATIC, SQLITE_UTF8), "bind");
}

Result<bool> Statement::Step() {
  PINPIPE_CHECK(stmt_ != nullptr);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status st = SqliteStatus(db_, rc, "");
  // Leave the statement reusable after a failed step (e.g. a constraint).
  sqlite3_reset(stmt_);
  return st;
}

Status Statement::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) {
      Reset();
      return row.status();
    }
    if (!*row) break;
  }
  Reset();
  return Status::Ok();
}

void Statement::Reset() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

std::string Statement::ColumnName(int i) const {
  const char* name = sqlite3_column_name(stmt_, i);
  return name != nullptr ? name : "";
}

bool Statement::IsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

int64_t Statement::ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }

double Statement::ColumnDouble(int i) const { return sqlite3_column_double(stmt_, i); }

std::string_view Statement::ColumnText(int i) const {
  const unsigned char* text = sqlite3_column_text(stmt_, i);
  if (text == nullptr) return {};
  int n = sqlite3_column_bytes(stmt_, i);
  return {reinterpret_cast<const char*>(text), static_cast<size_t>(n)};
}

std::optional<std::string_view> Statement::ColumnTextOrNull(int i) const {
  const unsigned char* text = sqlite3_column_text(stmt_, i);
  if (text == nullptr) return std::nullopt;  // NULL (or out of memory, which sqlite reports on the next step)
  return std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
}

std::string Statement::Sql() const {
  const char* sql = stmt_ != nullptr ? sqlite3_sql(stmt_) : nullptr;
  return sql != nullptr ? sql : "";
}

// --- SqliteDb ----------------------------------------------------------------

SqliteDb::~SqliteDb() {
  // Statements must be finalized by their owners first; close_v2 defers the
  // close until they are, instead of failing.
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path,
                                                 const SqliteOpenOptions& options) {
  // Before the library initializes (the first open): no global memory
  // statistics, which cost a mutex round trip on every allocation.
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
  // NOMUTEX: a connection is externally serialized (one thread at a time),
  // so sqlite's per-call connection mutex (~20 per inserted row) is waste.
  int flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  if (options.read_only) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE;
    if (options.create) flags |= SQLITE_OPEN_CREATE;
  }
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status st = SqliteStatus(handle, rc, "open " + path);
    sqlite3_close_v2(handle);
    // A database that cannot be opened is an I/O problem for the caller,
    // whatever sqlite's code (e.g. a missing file opened read-only).
    if (st.code() == StatusCode::kInvalidArgument) return Status::IOError(st.message());
    return st;
  }
  sqlite3_extended_result_codes(handle, 1);
  std::unique_ptr<SqliteDb> db(new SqliteDb(handle, path));
  sqlite3_busy_timeout(handle, options.busy_timeout_ms);
  PINPIPE_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  if (options.page_size > 0 && !options.read_only) {
    // Takes effect only while the file is still empty.
    PINPIPE_RETURN_IF_ERROR(db->Exec("PRAGMA page_size=" + std::to_string(options.page_size)));
  }
  if (options.wal && !options.read_only) {
    PINPIPE_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL").WithContext("open " + path));
  }
  return db;
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);  // sqlite3_exec wants a terminated string
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  sqlite3_free(err);  // the same text is still in sqlite3_errmsg
  return SqliteStatus(db_, rc, "");
}

Result<Statement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                              &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteStatus(db_, rc, "");
  }
  if (stmt == nullptr) return Status::InvalidArgument("prepare: empty SQL statement");
  return Statement(db_, stmt);
}

Status SqliteDb::Begin() { return Exec("BEGIN IMMEDIATE"); }
Status SqliteDb::Commit() { return Exec("COMMIT"); }

Status SqliteDb::Rollback() {
  if (sqlite3_get_autocommit(db_) != 0) return Status::Ok();  // nothing open
  return Exec("ROLLBACK");
}

sqlite3* SqliteDb::raw() { return db_; }

}  // namespace pinpipe::sinks::sqlite
