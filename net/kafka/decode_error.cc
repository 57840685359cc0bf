#include "net/kafka/decode_error.h"

namespace ringlog::kafka {

std::string_view to_string(DecodeError error) {
  switch (error) {
    case DecodeError::kTruncated:
      return "truncated";
    case DecodeError::kBadVarint:
      return "bad unsigned varint";
    case DecodeError::kNegativeLength:
      return "negative length";
    case DecodeError::kLengthOverBuffer:
      return "length over buffer";
    case DecodeError::kStringTooLong:
      return "string too long";
    case DecodeError::kArrayTooLong:
      return "array too long";
    case DecodeError::kUnexpectedNull:
      return "unexpected null";
    case DecodeError::kTaggedFieldSizeMismatch:
      return "tagged field size mismatch";
    case DecodeError::kUnsupportedVersion:
      return "unsupported version";
    case DecodeError::kUnknownApiKey:
      return "unknown api key";
  }
  return "unknown decode error";
}

}  // namespace ringlog::kafka
