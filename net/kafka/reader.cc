#include "net/kafka/reader.h"

#include <bit>
#include <cstring>

#include "engine/storage/record_batch_format.h"  // load_be
#include "engine/storage/varint.h"

namespace ringlog::kafka {

template <typename T>
Result<T, DecodeError> Reader::read_big_endian() {
  if (remaining() < sizeof(T)) return DecodeError::kTruncated;
  T value = storage::batch_format::load_be<T>(bytes_.data() + position_);
  position_ += sizeof(T);
  return value;
}

Result<int8_t, DecodeError> Reader::read_int8() { return read_big_endian<int8_t>(); }
Result<int16_t, DecodeError> Reader::read_int16() { return read_big_endian<int16_t>(); }
Result<int32_t, DecodeError> Reader::read_int32() { return read_big_endian<int32_t>(); }
Result<int64_t, DecodeError> Reader::read_int64() { return read_big_endian<int64_t>(); }
Result<uint16_t, DecodeError> Reader::read_uint16() { return read_big_endian<uint16_t>(); }
Result<uint32_t, DecodeError> Reader::read_uint32() { return read_big_endian<uint32_t>(); }

Result<bool, DecodeError> Reader::read_bool() {
  auto byte = read_big_endian<uint8_t>();
  if (!byte) return byte.error();
  return *byte != 0;
}

Result<double, DecodeError> Reader::read_float64() {
  auto bits = read_big_endian<uint64_t>();
  if (!bits) return bits.error();
  return std::bit_cast<double>(*bits);
}

Result<Uuid, DecodeError> Reader::read_uuid() {
  if (remaining() < 16) return DecodeError::kTruncated;
  Uuid uuid;
  std::memcpy(uuid.bytes.data(), bytes_.data() + position_, 16);
  position_ += 16;
  return uuid;
}

Result<uint32_t, DecodeError> Reader::read_unsigned_varint() {
  // At most 5 bytes; the fifth may carry only the top 4 bits of a 32-bit value.
  uint32_t value = 0;
  for (size_t i = 0; i < storage::kVarintBytesMax; ++i) {
    if (position_ >= bytes_.size()) return DecodeError::kTruncated;
    auto byte = static_cast<uint8_t>(bytes_[position_++]);
    if (i == storage::kVarintBytesMax - 1 && byte > 0x0FU) return DecodeError::kBadVarint;
    value |= static_cast<uint32_t>(byte & 0x7FU) << (7 * i);
    if ((byte & 0x80U) == 0) return value;
  }
  return DecodeError::kBadVarint;  // unreachable: the fifth byte check returns first
}

Result<int32_t, DecodeError> Reader::read_varint() {
  auto decoded = storage::decode_varint(rest());
  if (!decoded) {
    return decoded.error() == storage::VarintError::kTruncated ? DecodeError::kTruncated
                                                               : DecodeError::kBadVarint;
  }
  position_ += decoded->bytes;
  return decoded->value;
}

Result<int64_t, DecodeError> Reader::read_varlong() {
  auto decoded = storage::decode_varlong(rest());
  if (!decoded) {
    return decoded.error() == storage::VarintError::kTruncated ? DecodeError::kTruncated
                                                               : DecodeError::kBadVarint;
  }
  position_ += decoded->bytes;
  return decoded->value;
}

Result<int64_t, DecodeError> Reader::read_length(LengthEncoding encoding, int classic_width_bytes) {
  int64_t length = 0;
  if (encoding == LengthEncoding::kCompact) {
    auto encoded = read_unsigned_varint();
    if (!encoded) return encoded.error();
    length = static_cast<int64_t>(*encoded) - 1;
  } else if (classic_width_bytes == 2) {
    auto encoded = read_int16();
    if (!encoded) return encoded.error();
    length = *encoded;
  } else {
    auto encoded = read_int32();
    if (!encoded) return encoded.error();
    length = *encoded;
  }
  if (length < -1) return DecodeError::kNegativeLength;
  if (length > static_cast<int64_t>(remaining())) return DecodeError::kLengthOverBuffer;
  return length;
}

Result<std::optional<std::string>, DecodeError> Reader::read_nullable_string(
    LengthEncoding encoding) {
  auto length = read_length(encoding, 2);
  if (!length) return length.error();
  if (*length < 0) return std::optional<std::string>();
  // A compact length can say more than INT16 allows; Kafka rejects that too.
  if (*length > kStringBytesMax) return DecodeError::kStringTooLong;
  auto raw = read_raw(static_cast<size_t>(*length));
  if (!raw) return raw.error();
  return std::optional<std::string>(std::in_place, reinterpret_cast<const char*>(raw->data()),
                                    raw->size());
}

Result<std::string, DecodeError> Reader::read_string(LengthEncoding encoding) {
  auto value = read_nullable_string(encoding);
  if (!value) return value.error();
  if (!value->has_value()) return DecodeError::kUnexpectedNull;
  return std::move(**value);
}

Result<std::optional<std::vector<std::byte>>, DecodeError> Reader::read_nullable_bytes(
    LengthEncoding encoding) {
  auto length = read_length(encoding, 4);
  if (!length) return length.error();
  if (*length < 0) return std::optional<std::vector<std::byte>>();
  auto raw = read_raw(static_cast<size_t>(*length));
  if (!raw) return raw.error();
  return std::optional<std::vector<std::byte>>(std::in_place, raw->begin(), raw->end());
}

Result<std::vector<std::byte>, DecodeError> Reader::read_bytes(LengthEncoding encoding) {
  auto value = read_nullable_bytes(encoding);
  if (!value) return value.error();
  if (!value->has_value()) return DecodeError::kUnexpectedNull;
  return std::move(**value);
}

Result<std::optional<RecordsView>, DecodeError> Reader::read_records(LengthEncoding encoding) {
  auto length = read_length(encoding, 4);
  if (!length) return length.error();
  if (*length < 0) return std::optional<RecordsView>();
  auto raw = read_raw(static_cast<size_t>(*length));
  if (!raw) return raw.error();
  return std::optional<RecordsView>(RecordsView{*raw});
}

Result<int32_t, DecodeError> Reader::read_array_length(LengthEncoding encoding) {
  int64_t count = 0;
  if (encoding == LengthEncoding::kCompact) {
    auto encoded = read_unsigned_varint();
    if (!encoded) return encoded.error();
    count = static_cast<int64_t>(*encoded) - 1;
  } else {
    auto encoded = read_int32();
    if (!encoded) return encoded.error();
    count = *encoded;
  }
  if (count < -1) return DecodeError::kNegativeLength;
  if (count > static_cast<int64_t>(limits_.array_elements_max)) return DecodeError::kArrayTooLong;
  if (count > static_cast<int64_t>(remaining())) return DecodeError::kLengthOverBuffer;
  return static_cast<int32_t>(count);
}

Result<uint32_t, DecodeError> Reader::read_tagged_fields_count() {
  auto count = read_unsigned_varint();
  if (!count) return count.error();
  // Each tagged field is at least a tag byte and a size byte.
  if (*count > remaining() / 2) return DecodeError::kLengthOverBuffer;
  return *count;
}

Result<Reader, DecodeError> Reader::read_tagged_payload() {
  auto size = read_unsigned_varint();
  if (!size) return size.error();
  auto payload = read_raw(*size);
  if (!payload) return payload.error();
  return Reader(*payload, limits_);
}

Result<std::span<const std::byte>, DecodeError> Reader::read_raw(size_t size) {
  if (size > remaining()) return DecodeError::kTruncated;
  auto view = bytes_.subspan(position_, size);
  position_ += size;
  return view;
}

Result<void, DecodeError> Reader::skip(size_t size) {
  if (size > remaining()) return DecodeError::kTruncated;
  position_ += size;
  return {};
}

}  // namespace ringlog::kafka
