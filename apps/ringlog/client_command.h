#pragma once
// What the client subcommands (topic, produce, consume) share: exit codes, the bootstrap option,
// running a coroutine against one broker connection on a standalone reactor, argument parsing
// with CLI11, and error reporting.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "client/client_error.h"
#include "client/connection.h"
#include "engine/reactor/task.h"

namespace ringlog::apps {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the broker or the connection said no
inline constexpr int kExitUsage = 2;    // bad arguments

inline constexpr const char* kBootstrapDefault = "127.0.0.1:9092";

// --bootstrap-server HOST:PORT (alias -b), stored in `*bootstrap`.
void add_bootstrap_option(CLI::App& app, std::string* bootstrap);

// Parses `args` (the words after the subcommand). Returns nullopt to go on, or the exit code
// (0 after --help, kExitUsage after printing what was wrong).
std::optional<int> parse_args(CLI::App& app, std::vector<std::string> args);

using ClientBody = std::function<reactor::Task<int>(client::Connection*)>;

// Connects to `bootstrap`, runs `body` on the connection, closes it; returns body's exit code
// (kExitFailure with a message if the broker cannot be reached).
int run_with_connection(const std::string& bootstrap, ClientBody body);

// "ringlog: <what>: <error>" on stderr.
void print_error(std::string_view what, const client::ClientError& error);
// "ringlog: <message>" on stderr.
void print_error(std::string_view message);

// Parses "k=v"; false if there is no '=' or the key is empty.
bool split_key_value(std::string_view text, std::string* key, std::string* value);

}  // namespace ringlog::apps
