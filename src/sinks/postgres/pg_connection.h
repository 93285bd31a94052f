// A small RAII wrapper over one libpq connection: connect by URI, run SQL with
// bound text parameters, prepared statements, COPY FROM STDIN. Server errors
// become Status by SQLSTATE: a lost connection, a server shutting down or a
// serialization failure is kUnavailable (retryable); anything else is not.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct pg_conn;
struct pg_result;

namespace pinpipe::sinks::postgres {

// One query result. Owned; movable.
class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;
  ~PgResult();

  int Rows() const;
  bool IsNull(int row, int col) const;
  std::string_view Text(int row, int col) const;
  // Rows affected by INSERT/UPDATE/DELETE.
  int64_t AffectedRows() const;

 private:
  pg_result* result_;
};

// A nullable text parameter.
using PgParam = std::optional<std::string_view>;

// A parameter of a pipelined statement: null when !value; sent in binary
// when `binary` (e.g. a BinaryArray), else as text. Borrowed until the call returns.
struct PgValue {
  std::optional<std::string_view> value = {};
  bool binary = false;
};

// One statement of a pipeline: a prepared statement by name, or (when
// `prepared` is empty) `sql` with no parameters.
struct PgStep {
  std::string prepared = {};
  std::string sql = {};
  std::vector<PgValue> params = {};
};

// Externally serialized (libpq connections are not thread-safe).
class PgConnection {
 public:
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Connects to a libpq URI (`postgresql://user@host:port/db?...`).
  // kUnavailable when the server cannot be reached, kInvalidArgument for a
  // malformed URI or a refused login.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& uri,
                                                       std::chrono::seconds connect_timeout,
                                                       const std::string& application_name);

  // False once the connection is known to be lost.
  bool ok() const;

  // Runs SQL that may hold several statements and no parameters.
  Status Exec(std::string_view sql);
  // Runs one statement with text parameters ($1, $2, ...).
  Result<PgResult> Query(std::string_view sql, const std::vector<PgParam>& params = {});
  // Prepares `sql` under `name` for ExecPrepared.
  Status Prepare(const std::string& name, std::string_view sql);
  Result<PgResult> ExecPrepared(const std::string& name, const std::vector<PgParam>& params = {});

  // Sends every step back to back and one sync (libpq pipeline mode: one
  // round trip), then reads every result. Returns each step's result, or
  // the first error (the server skips the steps after a failed one).
  Result<std::vector<PgResult>> Pipeline(const std::vector<PgStep>& steps);

  // Runs `COPY ... FROM STDIN` and sends `data` (already in the COPY format
  // the statement names).
  Status CopyIn(std::string_view copy_sql, std::string_view data);
  // The same, streamed: `produce` calls the sender with each chunk in order
  // (the server parses one chunk while the next is built); the sender returns
  // false once sending failed, and `produce` should stop then.
  using CopySender = std::function<bool(std::string_view chunk)>;
  Status CopyIn(std::string_view copy_sql, const std::function<void(const CopySender&)>& produce);

  // "user@host:port/db" for logs (never a password).
  std::string Describe() const;

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  // Turns a finished command into Status; `what` names it in messages.
  Result<PgResult> Check(pg_result* result, std::string_view what);
  Status ConnectionLost(std::string_view what) const;

  pg_conn* conn_;        // owned
  bool broken_ = false;  // a pipeline could not be left cleanly: reconnect
};

// SQLSTATE -> status code: class 08 (connection), 57P01-57P03 (server going
// down), 40001/40P01 (serialization, deadlock), 53 (out of resources),
// 55P03 (lock timeout) and 23505 (unique key raced in) are kUnavailable; 28 (auth) and 3D (no database) are
// kInvalidArgument; everything else kInternal.
StatusCode CodeForSqlState(std::string_view sqlstate);

}  // namespace pinpipe::sinks::postgres
