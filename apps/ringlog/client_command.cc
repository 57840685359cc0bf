#include "apps/ringlog/client_command.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/reactor/reactor.h"

namespace ringlog::apps {

namespace {

reactor::Task<int> connect_and_run(std::string bootstrap, ClientBody body) {
  client::ClientResult<client::Address> address = client::parse_address(bootstrap);
  if (!address) {
    print_error(fmt::format("bad --bootstrap-server '{}': expected HOST:PORT", bootstrap));
    co_return kExitUsage;
  }
  // Arguments are named locals: GCC 12 copies a temporary (prvalue) argument of a coroutine
  // inside a co_await expression bytewise, leaving std::string's short buffer dangling.
  client::ConnectionOptions options;
  client::ClientResult<std::unique_ptr<client::Connection>> connection =
      co_await client::Connection::open(*address, std::move(options));
  if (!connection) {
    print_error(fmt::format("cannot reach a broker at {}", bootstrap), connection.error());
    co_return kExitFailure;
  }
  reactor::Task<int> work = body(connection->get());
  const int rc = co_await std::move(work);
  co_await (*connection)->close();
  co_return rc;
}

}  // namespace

void add_bootstrap_option(CLI::App& app, std::string* bootstrap) {
  app.add_option("-b,--bootstrap-server", *bootstrap, "Broker to connect to, HOST:PORT")
      ->default_str(kBootstrapDefault);
}

std::optional<int> parse_args(CLI::App& app, std::vector<std::string> args) {
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return std::nullopt;
}

int run_with_connection(const std::string& bootstrap, ClientBody body) {
  reactor::Reactor reactor;
  return reactor.block_on(connect_and_run(bootstrap, std::move(body)));
}

void print_error(std::string_view what, const client::ClientError& error) {
  fmt::print(stderr, "ringlog: {}: {}\n", what, client::to_string(error));
}

void print_error(std::string_view message) { fmt::print(stderr, "ringlog: {}\n", message); }

bool split_key_value(std::string_view text, std::string* key, std::string* value) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  *key = std::string(text.substr(0, eq));
  *value = std::string(text.substr(eq + 1));
  return true;
}

}  // namespace ringlog::apps
