#pragma once
// Test harness for integration tests: starts the real `ringlog broker` process on a free
// loopback port with its own data directory, and runs client programs (kcat, test programs)
// with bounded time. Everything started is stopped by PID when the test ends.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace ringlog::testing {

struct CommandResult {
  int exit_code = -1;  // -1 if killed by the timeout
  std::string out;
  std::string err;
};

// Runs argv[0] (searched in PATH) with `input` on stdin; kills it after `timeout`.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = "",
                          std::chrono::seconds timeout = std::chrono::seconds(120));

// A TCP port on 127.0.0.1 that was free a moment ago.
uint16_t free_loopback_port();

struct BrokerOptions {
  uint32_t smp = 2;
  // Extra flags, e.g. {"--num.partitions", "3"}.
  std::vector<std::string> args;
  // Empty: a fresh temporary directory, removed with the BrokerProcess.
  std::string data_dir;
};

class BrokerProcess {
 public:
  explicit BrokerProcess(BrokerOptions options = {});
  ~BrokerProcess();  // kills the broker if still running, removes a temporary data dir
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  // Starts the broker and waits (bounded) until it accepts connections. Restarting after a
  // stop reuses the port and the data directory.
  void start();
  // SIGTERM and wait for a clean exit; returns the exit status (-1 on timeout, then SIGKILL).
  int stop();
  // SIGKILL and reap.
  void kill9();
  bool running() const { return pid_ > 0; }

  std::string bootstrap() const;
  uint16_t port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  pid_t pid() const { return pid_; }
  // What the broker wrote to stderr so far.
  std::string log() const;

 private:
  BrokerOptions options_;
  std::string data_dir_;
  bool owns_data_dir_ = false;
  std::string log_path_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace ringlog::testing
