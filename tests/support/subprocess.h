// Test support: start real programs (pinpipe itself, postgres, prometheus,
// kcat, ...) as child processes, feed and capture their output, signal them,
// and wait for conditions with deadlines instead of sleeping blindly.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pinpipe::testing {

struct SpawnOptions {
  std::map<std::string, std::string> env;  // added to (or overriding) this process's env
  std::string stdin_path;                  // empty: /dev/null
  std::string stdout_path;                 // empty: inherit
  std::string stderr_path;                 // empty: inherit
  std::string cwd;                         // empty: inherit
};

// A running child. Killed with SIGKILL and reaped on destruction if still running.
class Subprocess {
 public:
  // Aborts the test (ADD_FAILURE + returns nullopt) when the program cannot start.
  static std::optional<Subprocess> Start(const std::vector<std::string>& argv,
                                         const SpawnOptions& options = {});
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&&) = delete;
  ~Subprocess();

  pid_t pid() const { return pid_; }
  void Signal(int sig) const;
  // Waits for exit; returns the exit code, or 128+signal when killed.
  // nullopt when `timeout` passed first (the child keeps running).
  std::optional<int> Wait(std::chrono::milliseconds timeout = std::chrono::minutes(5));
  bool Running();

 private:
  explicit Subprocess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a program to completion with `stdin_data` on its standard input.
RunResult Run(const std::vector<std::string>& argv, const std::string& stdin_data = "",
              const std::map<std::string, std::string>& env = {},
              std::chrono::milliseconds timeout = std::chrono::minutes(5));

// The pinpipe binary under test (PINPIPE_BIN, set by ctest).
std::string PinpipeBin();

// A fresh directory under /tmp, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0).
int FreePort();

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Whole-file helpers for test fixtures.
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& data);

// Looks up an executable on PATH or in common sbin/lib dirs; empty if absent.
std::string FindProgram(const std::string& name, const std::vector<std::string>& extra_dirs = {});

}  // namespace pinpipe::testing
