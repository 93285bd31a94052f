// A small RAII wrapper over sqlite3 shared by the warehouse (batch) and the
// live table (stream): open with WAL and a busy timeout, run SQL, prepared
// statements with bound parameters. Errors carry sqlite's own message;
// SQLITE_BUSY / SQLITE_LOCKED become kUnavailable (retryable).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pinpipe::sinks::sqlite {

struct SqliteOpenOptions {
  bool read_only = false;     // open with SQLITE_OPEN_READONLY
  bool create = true;         // create the file when missing (ignored when read_only)
  int busy_timeout_ms = 10000;  // wait this long for another writer's lock
  bool wal = true;            // journal_mode=WAL (skipped for read-only opens)
  // Page size for a database created by this open (before WAL fixes it);
  // 0 keeps sqlite's default. Ignored for an existing database.
  int page_size = 0;
};

// One prepared statement. Externally serialized; owned by one thread;
// movable. Must not outlive the SqliteDb that prepared it.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameter indexes are 1-based.
  Status BindNull(int index);
  Status BindInt(int index, int64_t v);
  Status BindDouble(int index, double v);
  Status BindText(int index, std::string_view v);  // copied (SQLITE_TRANSIENT)
  // Not copied (SQLITE_STATIC): `v` must stay valid until the next Step,
  // Run or Reset. For hot loops that bind many long strings.
  Status BindTextNoCopy(int index, std::string_view v);

  // true: a row is ready to read; false: the statement is done.
  Result<bool> Step();
  // Steps until done (rows are discarded), then Reset (bindings cleared).
  Status Run();
  // Resets the statement and clears its bindings.
  void Reset();

  // Columns of the current row (valid after Step returned true, until the
  // next Step/Reset). ColumnText's view lives as long as the row.
  int ColumnCount() const;
  std::string ColumnName(int i) const;
  bool IsNull(int i) const;
  int64_t ColumnInt(int i) const;
  double ColumnDouble(int i) const;
  std::string_view ColumnText(int i) const;
  // The text, or nullopt for NULL (one call fewer than IsNull + ColumnText).
  std::optional<std::string_view> ColumnTextOrNull(int i) const;

  // The statement's SQL text with parameters, for error messages.
  std::string Sql() const;

 private:
  friend class SqliteDb;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Status Check(int rc, std::string_view what) const;

  sqlite3* db_ = nullptr;      // borrowed from the SqliteDb
  sqlite3_stmt* stmt_ = nullptr;  // owned
};

// An open database connection. Externally serialized: one thread at a time
// (opened with SQLITE_OPEN_NOMUTEX, so sqlite itself does not lock it).
class SqliteDb {
 public:
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Opens (or creates) the database at `path` (":memory:" works). Sets the
  // busy timeout, WAL, and foreign_keys=ON.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path,
                                                const SqliteOpenOptions& options = {});

  // Runs one or more statements without parameters.
  Status Exec(std::string_view sql);
  // Prepares one statement; kInvalidArgument with sqlite's message as it is
  // on a bad statement (e.g. "no such table: x").
  Result<Statement> Prepare(std::string_view sql);

  Status Begin();     // BEGIN IMMEDIATE
  Status Commit();    // COMMIT
  Status Rollback();  // ROLLBACK (OK when no transaction is open)

  const std::string& path() const { return path_; }
  sqlite3* raw();

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;  // owned
  std::string path_;
};

// Maps a sqlite result code (and the connection's message, after "what: "
// when `what` is not empty) to a Status:
// BUSY/LOCKED -> kUnavailable, CORRUPT/NOTADB -> kCorruption, CANTOPEN/IOERR/
// FULL/READONLY -> kIOError, CONSTRAINT/MISMATCH/RANGE/ERROR -> kInvalidArgument.
Status SqliteStatus(sqlite3* db, int rc, std::string_view what);

}  // namespace pinpipe::sinks::sqlite
