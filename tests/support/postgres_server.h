// Test support: a throwaway PostgreSQL cluster (initdb + pg_ctl from the
// Debian packages) in its own temp dir, on a free loopback port, with its unix
// socket inside that dir, so two test runs never collide. Works as root: the
// server programs then run as the `postgres` system user.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "subprocess.h"

namespace pinpipe::testing {

struct PostgresServerOptions {
  // fsync=off is safe against a crash of the server process (the kernel keeps
  // the pages) and makes tests faster; benchmarks turn it back on.
  bool fsync = false;
  // Extra `-c name=value` server settings.
  std::vector<std::string> settings;
};

// Owned by one test thread. Stops the server and removes its files on
// destruction.
class PostgresServer {
 public:
  // Creates and starts a fresh cluster. nullptr (after ADD_FAILURE with the
  // server's log) when it cannot.
  static std::unique_ptr<PostgresServer> Create(const PostgresServerOptions& options = {});
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // libpq URI of database `db` as superuser `postgres` over TCP.
  std::string Url(const std::string& db = "postgres") const;
  int port() const { return port_; }
  const std::string& dir() const { return dir_.path(); }

  // Fast shutdown (`pg_ctl stop -m fast`, or -m immediate when `crash`) and
  // start on the same port. Each returns false (after ADD_FAILURE) on failure.
  bool Stop(bool crash = false);
  bool Start();
  bool Restart() { return Stop() && Start(); }
  bool running() const { return running_; }

  // Runs SQL through psql (-X -A -t -q, ON_ERROR_STOP) against `db`; returns
  // its output and exit code.
  RunResult Psql(const std::string& sql, const std::string& db = "postgres") const;
  // Creates a database; false (after ADD_FAILURE) on failure.
  bool CreateDatabase(const std::string& name) const;
  // Whole text of the server log, for failure messages.
  std::string ServerLog() const;

 private:
  explicit PostgresServer(PostgresServerOptions options) : options_(std::move(options)) {}
  bool Init();
  // argv prefixed with `runuser -u postgres --` when running as root.
  std::vector<std::string> AsServerUser(std::vector<std::string> argv) const;
  std::string Bin(const std::string& program) const { return bin_dir_ + "/" + program; }

  PostgresServerOptions options_;
  TempDir dir_;
  std::string bin_dir_;
  std::string data_dir_;
  std::string socket_dir_;
  std::string log_path_;
  int port_ = -1;
  bool running_ = false;
};

// The directory holding initdb/pg_ctl/postgres (highest installed major
// version), or empty when PostgreSQL is not installed.
std::string PostgresBinDir();

}  // namespace pinpipe::testing
