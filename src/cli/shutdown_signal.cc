// A sigwait thread turns signals into a counter plus a condition variable.
#include "cli/shutdown_signal.h"

#include <pthread.h>
#include <signal.h>

#include <csignal>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace pinpipe::cli {
namespace {

struct State {
  std::mutex mu;
  std::condition_variable cv;
  int count = 0;
};

State& GetState() {
  static State* state = new State();
  return *state;
}

}  // namespace

ShutdownSignal& ShutdownSignal::Install() {
  static ShutdownSignal* instance = [] {
    // A shell starts background jobs with SIGINT ignored, and an ignored
    // signal is discarded before sigwait could see it: restore the default.
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set] {
      for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        ShutdownSignal::Install().Raise();
      }
    }).detach();
    return new ShutdownSignal();
  }();
  return *instance;
}

int ShutdownSignal::count() const {
  State& s = GetState();
  std::lock_guard lock(s.mu);
  return s.count;
}

bool ShutdownSignal::WaitFor(int n, std::chrono::milliseconds timeout) const {
  State& s = GetState();
  std::unique_lock lock(s.mu);
  return s.cv.wait_for(lock, timeout, [&] { return s.count >= n; });
}

void ShutdownSignal::Raise() {
  State& s = GetState();
  {
    std::lock_guard lock(s.mu);
    ++s.count;
  }
  s.cv.notify_all();
}

}  // namespace pinpipe::cli
