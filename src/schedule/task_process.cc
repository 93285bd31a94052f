// posix_spawn + waitpid polling; the child gets its own process group so a
// timeout stops the whole task tree.
#include "schedule/task_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <thread>

extern char** environ;

namespace pinpipe::schedule {
namespace {

std::optional<int> Reap(pid_t pid, bool block) {
  int status = 0;
  pid_t r = ::waitpid(pid, &status, block ? 0 : WNOHANG);
  if (r != pid) return std::nullopt;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// SIGTERM to the group, SIGKILL after `grace`; returns the exit code.
int Stop(pid_t pid, std::chrono::seconds grace) {
  ::kill(-pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto code = Reap(pid, false)) return *code;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);
  return Reap(pid, true).value_or(128 + SIGKILL);
}

}  // namespace

Result<TaskOutcome> RunTaskProcess(const std::vector<std::string>& argv_in, const std::string& log_path,
                                   const TaskProcessOptions& options) {
  if (argv_in.empty()) return Status::InvalidArgument("task has no command");
  std::vector<std::string> argv = argv_in;
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Status::IOError("cannot start " + argv[0] + ": " + std::strerror(rc));

  TaskOutcome outcome;
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  for (auto pause = std::chrono::milliseconds(1);; pause = std::min(pause * 2, std::chrono::milliseconds(100))) {
    if (auto code = Reap(pid, false)) {
      outcome.exit_code = *code;
      return outcome;
    }
    if (options.cancel != nullptr && options.cancel->load()) {
      outcome.cancelled = true;
      outcome.exit_code = Stop(pid, options.kill_grace);
      return outcome;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      outcome.timed_out = true;
      outcome.exit_code = Stop(pid, options.kill_grace);
      return outcome;
    }
    std::this_thread::sleep_for(pause);
  }
}

}  // namespace pinpipe::schedule
