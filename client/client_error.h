#pragma once
// ClientError: why a client operation failed, as a small trivially copyable value (STYLE.md:
// errors are values). `errc` says which kind of failure; a broker's answer keeps its Kafka error
// code, an OS failure its errno, and `context` names what was being done (a static string).

#include <string>

#include "engine/base/result.h"
#include "net/kafka/error_code.h"

namespace ringlog::client {

enum class ClientErrc : uint8_t {
  kBadAddress,          // the bootstrap address is not HOST:PORT or does not resolve
  kConnectFailed,       // connect() failed (os_errno says why: ECONNREFUSED, ETIMEDOUT, ...)
  kIo,                  // send/recv failed on an open connection
  kConnectionClosed,    // the broker closed the connection (or close() was called)
  kTimedOut,            // no response within the request timeout
  kResponseTooLarge,    // a response frame above ConnectionOptions::response_bytes_max
  kDecode,              // a response that does not decode
  kUnsupportedVersion,  // the broker speaks no version of the API that we speak
  kBroker,              // the broker answered with an error code (`code`)
  kMissingAnswer,       // the response left out the topic/partition/resource we asked about
  kBadRecords,          // a fetched record batch that fails validation
  kBadArgument,         // the caller asked for something impossible (partition out of range)
};

struct ClientError {
  ClientErrc errc = ClientErrc::kIo;
  kafka::ErrorCode code = kafka::ErrorCode::kNone;
  int os_errno = 0;
  const char* context = "";

  static ClientError broker(int16_t code, const char* context) {
    return {.errc = ClientErrc::kBroker,
            .code = static_cast<kafka::ErrorCode>(code),
            .context = context};
  }
  // True if this is the broker's error `c`.
  bool is(kafka::ErrorCode c) const { return errc == ClientErrc::kBroker && code == c; }
};

template <typename T>
using ClientResult = Result<T, ClientError>;

// "CreateTopics: TOPIC_ALREADY_EXISTS (36)", "connect: Connection refused".
std::string to_string(const ClientError& error);

}  // namespace ringlog::client
