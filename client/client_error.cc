#include "client/client_error.h"

#include <fmt/format.h>

#include <cstring>

namespace ringlog::client {

namespace {

const char* describe(ClientErrc errc) {
  switch (errc) {
    case ClientErrc::kBadAddress:
      return "bad broker address";
    case ClientErrc::kConnectFailed:
      return "cannot connect";
    case ClientErrc::kIo:
      return "connection error";
    case ClientErrc::kConnectionClosed:
      return "connection closed by the broker";
    case ClientErrc::kTimedOut:
      return "timed out waiting for the broker";
    case ClientErrc::kResponseTooLarge:
      return "response too large";
    case ClientErrc::kDecode:
      return "response does not decode";
    case ClientErrc::kUnsupportedVersion:
      return "the broker supports no version of this API";
    case ClientErrc::kBroker:
      return "broker error";
    case ClientErrc::kMissingAnswer:
      return "the response does not answer the request";
    case ClientErrc::kBadRecords:
      return "invalid record batch";
    case ClientErrc::kBadArgument:
      return "bad argument";
  }
  return "unknown error";
}

}  // namespace

std::string to_string(const ClientError& error) {
  std::string out = error.context[0] != '\0' ? fmt::format("{}: ", error.context) : std::string();
  if (error.errc == ClientErrc::kBroker) {
    out += fmt::format("{} ({})", kafka::to_string(error.code), static_cast<int>(error.code));
    return out;
  }
  out += describe(error.errc);
  if (error.os_errno != 0) out += fmt::format(" ({})", std::strerror(error.os_errno));
  return out;
}

}  // namespace ringlog::client
