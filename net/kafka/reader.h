#pragma once
// Reader: a bounds-checked cursor over a received frame. Every read checks the bytes that remain
// first and returns DecodeError instead of reading past the end; lengths and counts decoded from
// the wire are checked against the remaining bytes (and counts against a limit) before anything
// is allocated for them. On error the cursor's position is unspecified: drop the frame.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/base/result.h"
#include "net/kafka/decode_error.h"
#include "net/kafka/primitives.h"

namespace ringlog::kafka {

// Element count above which an array is rejected even when the frame could hold it: bounds the
// memory a hostile frame can make a decoder reserve (elements are C++ structs far larger than
// their wire bytes).
inline constexpr uint32_t kArrayElementsMaxDefault = 1U << 20;
// Vectors are reserved up to this many elements at once; longer arrays grow as they decode.
inline constexpr uint32_t kArrayReserveElementsMax = 4096;

struct ReaderLimits {
  uint32_t array_elements_max = kArrayElementsMaxDefault;
};

class Reader {
 public:
  explicit Reader(std::span<const std::byte> bytes, ReaderLimits limits = {})
      : bytes_(bytes), limits_(limits) {}

  size_t position() const { return position_; }
  size_t remaining() const { return bytes_.size() - position_; }
  std::span<const std::byte> rest() const { return bytes_.subspan(position_); }
  const ReaderLimits& limits() const { return limits_; }

  Result<int8_t, DecodeError> read_int8();
  Result<int16_t, DecodeError> read_int16();
  Result<int32_t, DecodeError> read_int32();
  Result<int64_t, DecodeError> read_int64();
  Result<uint16_t, DecodeError> read_uint16();
  Result<uint32_t, DecodeError> read_uint32();
  Result<bool, DecodeError> read_bool();  // any non-zero byte is true
  Result<double, DecodeError> read_float64();
  Result<Uuid, DecodeError> read_uuid();
  Result<uint32_t, DecodeError> read_unsigned_varint();
  Result<int32_t, DecodeError> read_varint();
  Result<int64_t, DecodeError> read_varlong();

  // Non-nullable forms fail with kUnexpectedNull on a null length.
  Result<std::string, DecodeError> read_string(LengthEncoding encoding);
  Result<std::optional<std::string>, DecodeError> read_nullable_string(LengthEncoding encoding);
  Result<std::vector<std::byte>, DecodeError> read_bytes(LengthEncoding encoding);
  Result<std::optional<std::vector<std::byte>>, DecodeError> read_nullable_bytes(
      LengthEncoding encoding);
  // A view into the input: no copy.
  Result<std::optional<RecordsView>, DecodeError> read_records(LengthEncoding encoding);

  // An array's element count, -1 for null. A count above limits().array_elements_max or above
  // the remaining bytes (every element takes at least one byte) is rejected.
  Result<int32_t, DecodeError> read_array_length(LengthEncoding encoding);

  // Start of a tagged-field section: how many fields follow (each takes at least 2 bytes).
  Result<uint32_t, DecodeError> read_tagged_fields_count();
  // One tagged field's size prefix and payload: returns a Reader over exactly the payload and
  // moves this one past it.
  Result<Reader, DecodeError> read_tagged_payload();

  // `size` raw bytes, as a view into the input.
  Result<std::span<const std::byte>, DecodeError> read_raw(size_t size);
  Result<void, DecodeError> skip(size_t size);

 private:
  template <typename T>
  Result<T, DecodeError> read_big_endian();
  // Length of a string/bytes/records field: -1 for null, else checked against remaining().
  Result<int64_t, DecodeError> read_length(LengthEncoding encoding, int classic_width_bytes);

  std::span<const std::byte> bytes_;
  size_t position_ = 0;
  ReaderLimits limits_;
};

}  // namespace ringlog::kafka
