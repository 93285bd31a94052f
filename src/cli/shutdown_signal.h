// SIGINT/SIGTERM as a value the wiring layer can wait on: the first signal
// asks for a clean drain, a second one for an immediate (still safe) exit.
// Install() before starting any thread, so every thread inherits the mask.
#pragma once

#include <chrono>

namespace pinpipe::cli {

// Process-wide; thread-safe after Install().
class ShutdownSignal {
 public:
  // Blocks SIGINT/SIGTERM in the calling thread (and threads it starts) and
  // starts one thread that receives them. Idempotent.
  static ShutdownSignal& Install();

  // How many SIGINT/SIGTERM arrived so far.
  int count() const;
  bool requested() const { return count() > 0; }
  // Waits until at least `n` signals arrived or `timeout` passed; returns
  // whether they arrived.
  bool WaitFor(int n, std::chrono::milliseconds timeout) const;
  // Acts as if a signal arrived (tests, and components that must stop the process).
  void Raise();

 private:
  ShutdownSignal() = default;
};

}  // namespace pinpipe::cli
