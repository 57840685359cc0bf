#pragma once
// DecodeError: why bytes from the wire could not be decoded. Every decoder in net/kafka returns
// one of these instead of crashing or reading past its input; the server turns any of them into
// a closed connection (or an error answer where the protocol has one).

#include <cstdint>
#include <string_view>

namespace ringlog::kafka {

enum class DecodeError : uint8_t {
  kTruncated,                // the input ends inside a value
  kBadVarint,                // unsigned varint longer than 5 bytes or above 32 bits
  kNegativeLength,           // a length or count below -1 (or -1 where null is impossible)
  kLengthOverBuffer,         // a length or count larger than the bytes that remain
  kStringTooLong,            // a compact string longer than 32767 bytes (classic cannot say it)
  kArrayTooLong,             // an element count above the reader's limit
  kUnexpectedNull,           // null in a version where the field is not nullable
  kTaggedFieldSizeMismatch,  // a known tagged field did not fill exactly its declared size
  kUnsupportedVersion,       // a version outside what the message definition covers
  kUnknownApiKey,            // an api key we have no definition for
};

std::string_view to_string(DecodeError error);

}  // namespace ringlog::kafka
