// PostgresServer: initdb into a TempDir, pg_ctl start/stop on a free port.
#include "postgres_server.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace pinpipe::testing {
namespace {

constexpr int kPortAttempts = 5;

// Gives `path` to the postgres user when we are root (the server refuses to
// run as root and must own its data directory).
bool GiveToServerUser(const std::string& path) {
  if (::geteuid() != 0) return true;
  const passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr) return false;
  return ::chown(path.c_str(), pw->pw_uid, pw->pw_gid) == 0;
}

}  // namespace

std::string PostgresBinDir() {
  std::error_code ec;
  std::vector<std::string> dirs;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string bin = entry.path().string() + "/bin";
    if (::access((bin + "/pg_ctl").c_str(), X_OK) == 0) dirs.push_back(bin);
  }
  if (dirs.empty()) return "";
  // Highest major version: compare numerically ("9.6" < "15").
  std::sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) {
    auto major = [](const std::string& d) {
      return std::atof(std::filesystem::path(d).parent_path().filename().c_str());
    };
    return major(a) < major(b);
  });
  return dirs.back();
}

std::unique_ptr<PostgresServer> PostgresServer::Create(const PostgresServerOptions& options) {
  std::unique_ptr<PostgresServer> server(new PostgresServer(options));
  if (!server->Init()) return nullptr;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    server->port_ = FreePort();
    if (server->Start()) return server;
    // Someone took the port between FreePort and bind: try another.
    if (server->ServerLog().find("could not bind") == std::string::npos) break;
  }
  ADD_FAILURE() << "postgres did not start; server log:\n" << server->ServerLog();
  return nullptr;
}

PostgresServer::~PostgresServer() {
  if (running_) {
    Run(AsServerUser({Bin("pg_ctl"), "stop", "-D", data_dir_, "-m", "immediate", "-w"}));
  }
}

std::vector<std::string> PostgresServer::AsServerUser(std::vector<std::string> argv) const {
  if (::geteuid() != 0) return argv;
  std::vector<std::string> out = {"runuser", "-u", "postgres", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

bool PostgresServer::Init() {
  bin_dir_ = PostgresBinDir();
  if (bin_dir_.empty()) {
    ADD_FAILURE() << "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl); "
                     "run scripts/install-deps.sh --test";
    return false;
  }
  data_dir_ = dir_.File("data");
  socket_dir_ = dir_.File("socket");
  log_path_ = dir_.File("server.log");
  ::chmod(dir_.path().c_str(), 0755);
  if (!GiveToServerUser(dir_.path())) {
    ADD_FAILURE() << "cannot chown " << dir_.path() << " to the postgres user";
    return false;
  }
  RunResult init = Run(AsServerUser({Bin("initdb"), "-D", data_dir_, "-U", "postgres", "--auth=trust", "-E",
                                     "UTF8", "--locale=C", "--no-sync"}));
  if (init.exit_code != 0) {
    ADD_FAILURE() << "initdb failed (" << init.exit_code << "):\n" << init.out << init.err;
    return false;
  }
  ::mkdir(socket_dir_.c_str(), 0700);
  GiveToServerUser(socket_dir_);
  return true;
}

bool PostgresServer::Start() {
  std::string server_options = "-p " + std::to_string(port_) + " -k " + socket_dir_ +
                               " -c listen_addresses=127.0.0.1" +
                               " -c fsync=" + (options_.fsync ? "on" : "off");
  for (const std::string& s : options_.settings) server_options += " -c " + s;
  RunResult r = Run(AsServerUser(
      {Bin("pg_ctl"), "start", "-D", data_dir_, "-l", log_path_, "-w", "-t", "60", "-o", server_options}));
  running_ = r.exit_code == 0;
  if (!running_ && ServerLog().find("could not bind") == std::string::npos) {
    ADD_FAILURE() << "pg_ctl start failed:\n" << r.out << r.err << "\nserver log:\n" << ServerLog();
  }
  return running_;
}

bool PostgresServer::Stop(bool crash) {
  RunResult r = Run(AsServerUser(
      {Bin("pg_ctl"), "stop", "-D", data_dir_, "-m", crash ? "immediate" : "fast", "-w", "-t", "60"}));
  if (r.exit_code != 0) {
    ADD_FAILURE() << "pg_ctl stop failed:\n" << r.out << r.err;
    return false;
  }
  running_ = false;
  return true;
}

std::string PostgresServer::Url(const std::string& db) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

RunResult PostgresServer::Psql(const std::string& sql, const std::string& db) const {
  return Run({Bin("psql"), "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", Url(db), "-c", sql});
}

bool PostgresServer::CreateDatabase(const std::string& name) const {
  RunResult r = Psql("CREATE DATABASE \"" + name + "\"");
  if (r.exit_code != 0) {
    ADD_FAILURE() << "CREATE DATABASE " << name << " failed: " << r.err;
    return false;
  }
  return true;
}

std::string PostgresServer::ServerLog() const { return ReadFile(log_path_); }

}  // namespace pinpipe::testing
