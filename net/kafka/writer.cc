#include "net/kafka/writer.h"

#include <bit>

#include "engine/base/assert.h"
#include "engine/storage/record_batch_format.h"  // store_be
#include "engine/storage/varint.h"

namespace ringlog::kafka {

template <typename T>
void Writer::append_big_endian(T value) {
  size_t at = buffer_.size();
  buffer_.resize(at + sizeof(T));
  storage::batch_format::store_be<T>(buffer_.data() + at, value);
}

void Writer::write_int8(int8_t value) { append_big_endian(value); }
void Writer::write_int16(int16_t value) { append_big_endian(value); }
void Writer::write_int32(int32_t value) { append_big_endian(value); }
void Writer::write_int64(int64_t value) { append_big_endian(value); }
void Writer::write_uint16(uint16_t value) { append_big_endian(value); }
void Writer::write_uint32(uint32_t value) { append_big_endian(value); }
void Writer::write_bool(bool value) { append_big_endian<uint8_t>(value ? 1 : 0); }
void Writer::write_float64(double value) { append_big_endian(std::bit_cast<uint64_t>(value)); }
void Writer::write_uuid(const Uuid& value) { write_raw(value.bytes); }

void Writer::write_unsigned_varint(uint32_t value) {
  while (value >= 0x80U) {
    buffer_.push_back(static_cast<std::byte>((value & 0x7FU) | 0x80U));
    value >>= 7;
  }
  buffer_.push_back(static_cast<std::byte>(value));
}

void Writer::write_varint(int32_t value) {
  size_t at = buffer_.size();
  buffer_.resize(at + storage::varint_size(value));
  storage::encode_varint(value, std::span(buffer_).subspan(at));
}

void Writer::write_varlong(int64_t value) {
  size_t at = buffer_.size();
  buffer_.resize(at + storage::varlong_size(value));
  storage::encode_varlong(value, std::span(buffer_).subspan(at));
}

void Writer::write_length(int64_t length, LengthEncoding encoding, int classic_width_bytes) {
  RL_ASSERT(length >= -1);
  if (encoding == LengthEncoding::kCompact) {
    RL_ASSERT(length < INT32_MAX, "compact length must fit an unsigned varint after + 1");
    write_unsigned_varint(static_cast<uint32_t>(length + 1));
  } else if (classic_width_bytes == 2) {
    RL_ASSERT(length <= kStringBytesMax, "a string longer than 32767 bytes cannot be encoded");
    write_int16(static_cast<int16_t>(length));
  } else {
    RL_ASSERT(length <= INT32_MAX);
    write_int32(static_cast<int32_t>(length));
  }
}

void Writer::write_string(std::string_view value, LengthEncoding encoding) {
  // Kafka caps strings at INT16 bytes in both encodings, so a value fits either.
  RL_ASSERT(value.size() <= static_cast<size_t>(kStringBytesMax), "string longer than 32767");
  write_length(static_cast<int64_t>(value.size()), encoding, 2);
  write_raw(std::as_bytes(std::span(value.data(), value.size())));
}

void Writer::write_nullable_string(const std::optional<std::string>& value,
                                   LengthEncoding encoding) {
  if (!value) {
    write_length(-1, encoding, 2);
    return;
  }
  write_string(*value, encoding);
}

void Writer::write_bytes(std::span<const std::byte> value, LengthEncoding encoding) {
  write_length(static_cast<int64_t>(value.size()), encoding, 4);
  write_raw(value);
}

void Writer::write_nullable_bytes(const std::optional<std::vector<std::byte>>& value,
                                  LengthEncoding encoding) {
  if (!value) {
    write_length(-1, encoding, 4);
    return;
  }
  write_bytes(*value, encoding);
}

void Writer::write_records(const std::optional<RecordsView>& value, LengthEncoding encoding) {
  if (!value) {
    write_length(-1, encoding, 4);
    return;
  }
  if (value->is_deferred()) {
    write_length(value->deferred_bytes, encoding, 4);
    deferred_.push_back({buffer_.size(), value->deferred_bytes});
    return;
  }
  write_bytes(value->bytes, encoding);
}

void Writer::write_array_length(int32_t count, LengthEncoding encoding) {
  RL_ASSERT(count >= -1);
  if (encoding == LengthEncoding::kCompact) {
    write_unsigned_varint(static_cast<uint32_t>(count) + 1);
  } else {
    write_int32(count);
  }
}

void Writer::write_tagged_field(uint32_t tag, std::span<const std::byte> payload) {
  RL_ASSERT(payload.size() <= UINT32_MAX);
  write_unsigned_varint(tag);
  write_unsigned_varint(static_cast<uint32_t>(payload.size()));
  write_raw(payload);
}

void Writer::write_raw(std::span<const std::byte> bytes) {
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

size_t Writer::reserve_size_prefix() {
  size_t at = buffer_.size();
  buffer_.resize(at + sizeof(int32_t));
  return at;
}

void Writer::patch_size_prefix(size_t at) {
  RL_ASSERT(at + sizeof(int32_t) <= buffer_.size(), "size prefix outside the buffer");
  size_t size = buffer_.size() - at - sizeof(int32_t);
  RL_ASSERT(size <= INT32_MAX, "frame larger than INT32_MAX bytes");
  storage::batch_format::store_be<int32_t>(buffer_.data() + at, static_cast<int32_t>(size));
}

}  // namespace ringlog::kafka
