#include "tests/integration/broker_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ringlog::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Waits for `pid` until `deadline`; returns the wait status, or -1 if it is still running.
int wait_until(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return 0;
    if (Clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(5ms);
  }
}

bool port_accepts(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const std::string& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input,
                          std::chrono::seconds timeout) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) || ::pipe2(out_pipe, O_CLOEXEC) || ::pipe2(err_pipe, O_CLOEXEC)) {
    throw std::runtime_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  pid_t pid = -1;
  auto args = c_argv(argv);
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return CommandResult{.exit_code = 127, .out = "", .err = std::strerror(rc)};
  }
  ::fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  CommandResult result;
  size_t written = 0;
  bool in_open = true;
  if (input.empty()) {
    ::close(in_pipe[1]);
    in_open = false;
  }
  bool out_open = true, err_open = true;
  const auto deadline = Clock::now() + timeout;
  char buf[65536];
  while ((out_open || err_open) && Clock::now() < deadline) {
    pollfd fds[3];
    int n = 0;
    int out_i = -1, err_i = -1, in_i = -1;
    if (out_open) { fds[n] = {out_pipe[0], POLLIN, 0}; out_i = n++; }
    if (err_open) { fds[n] = {err_pipe[0], POLLIN, 0}; err_i = n++; }
    if (in_open) { fds[n] = {in_pipe[1], POLLOUT, 0}; in_i = n++; }
    if (::poll(fds, static_cast<nfds_t>(n), 100) <= 0) continue;
    if (out_i >= 0 && fds[out_i].revents) {
      ssize_t r = ::read(out_pipe[0], buf, sizeof(buf));
      if (r <= 0) out_open = false; else result.out.append(buf, static_cast<size_t>(r));
    }
    if (err_i >= 0 && fds[err_i].revents) {
      ssize_t r = ::read(err_pipe[0], buf, sizeof(buf));
      if (r <= 0) err_open = false; else result.err.append(buf, static_cast<size_t>(r));
    }
    if (in_i >= 0 && fds[in_i].revents) {
      ssize_t r = ::write(in_pipe[1], input.data() + written, input.size() - written);
      if (r > 0) written += static_cast<size_t>(r);
      if (r < 0 && errno != EAGAIN) written = input.size();
      if (written == input.size()) {
        ::close(in_pipe[1]);
        in_open = false;
      }
    }
  }
  if (in_open) ::close(in_pipe[1]);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = wait_until(pid, Clock::now() + (out_open || err_open ? 0s : 10s));
  if (status == -1) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    result.exit_code = -1;
    return result;
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

BrokerProcess::BrokerProcess(BrokerOptions options) : options_(std::move(options)) {
  if (options_.data_dir.empty()) {
    char tmpl[] = "/tmp/ringlog-it-XXXXXX";
    char* dir = ::mkdtemp(tmpl);
    if (dir == nullptr) throw std::runtime_error("mkdtemp failed");
    data_dir_ = dir;
    owns_data_dir_ = true;
  } else {
    data_dir_ = options_.data_dir;
  }
  log_path_ = data_dir_ + ".broker.log";
  port_ = free_loopback_port();
}

BrokerProcess::~BrokerProcess() {
  if (running()) kill9();
  std::error_code ec;
  if (owns_data_dir_) std::filesystem::remove_all(data_dir_, ec);
  std::filesystem::remove(log_path_, ec);
}

std::string BrokerProcess::bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }

std::string BrokerProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void BrokerProcess::start() {
  if (running()) throw std::logic_error("broker already running");
  std::vector<std::string> argv = {RINGLOG_BINARY,
                                   "broker",
                                   "--listeners",
                                   "PLAINTEXT://127.0.0.1:" + std::to_string(port_),
                                   "--log.dirs",
                                   data_dir_,
                                   "--smp",
                                   std::to_string(options_.smp)};
  argv.insert(argv.end(), options_.args.begin(), options_.args.end());
  int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 1);
  auto args = c_argv(argv);
  int rc = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(log_fd);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error(std::string("cannot start broker: ") + std::strerror(rc));
  }
  const auto deadline = Clock::now() + 20s;
  while (!port_accepts(port_)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("broker exited at start:\n" + log());
    }
    if (Clock::now() >= deadline) {
      kill9();
      throw std::runtime_error("broker did not listen within 20 s:\n" + log());
    }
    std::this_thread::sleep_for(10ms);
  }
}

int BrokerProcess::stop() {
  if (!running()) return 0;
  ::kill(pid_, SIGTERM);
  int status = wait_until(pid_, Clock::now() + 30s);
  if (status == -1) {
    kill9();
    return -1;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void BrokerProcess::kill9() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  // A SIGKILLed broker's listening sockets outlive the reaped process for a moment: its io_uring
  // (with accepts in flight) is torn down by a kernel worker afterwards. Until then they stay in
  // the SO_REUSEPORT group, so a restarted broker would share the port with them and connections
  // hashed to them are reset when they finally close (kcat: "Disconnected while requesting
  // ApiVersion"). Wait, bounded, until nothing listens on the port any more.
  const auto deadline = Clock::now() + 10s;
  while (port_accepts(port_) && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
}

}  // namespace ringlog::testing
