#pragma once
// Writer: appends the wire encoding of values to a growable buffer. Encoding our own values
// cannot fail; what must hold (a classic string fits INT16, a frame fits INT32) is asserted.
// A frame is written by reserving its 4-byte size prefix first and patching it at the end.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/kafka/primitives.h"

namespace ringlog::kafka {

class Writer {
 public:
  Writer() = default;
  // Appends to `buffer` (e.g. one reused across responses).
  explicit Writer(std::vector<std::byte> buffer) : buffer_(std::move(buffer)) {}

  size_t size() const { return buffer_.size(); }
  // Where deferred RECORDS fields (RecordsView::deferred) belong: each at a buffer position, in
  // the order they were written. The caller splices their bytes in at those positions.
  struct DeferredRecords {
    size_t position;
    uint32_t length;
  };
  const std::vector<DeferredRecords>& deferred_records() const { return deferred_; }
  std::span<const std::byte> bytes() const { return buffer_; }
  std::vector<std::byte> take() && { return std::move(buffer_); }

  void write_int8(int8_t value);
  void write_int16(int16_t value);
  void write_int32(int32_t value);
  void write_int64(int64_t value);
  void write_uint16(uint16_t value);
  void write_uint32(uint32_t value);
  void write_bool(bool value);
  void write_float64(double value);
  void write_uuid(const Uuid& value);
  void write_unsigned_varint(uint32_t value);
  void write_varint(int32_t value);
  void write_varlong(int64_t value);

  void write_string(std::string_view value, LengthEncoding encoding);
  void write_nullable_string(const std::optional<std::string>& value, LengthEncoding encoding);
  void write_bytes(std::span<const std::byte> value, LengthEncoding encoding);
  void write_nullable_bytes(const std::optional<std::vector<std::byte>>& value,
                            LengthEncoding encoding);
  void write_records(const std::optional<RecordsView>& value, LengthEncoding encoding);
  // An array's element count; -1 writes null.
  void write_array_length(int32_t count, LengthEncoding encoding);
  // One tagged field: tag, payload size, payload.
  void write_tagged_field(uint32_t tag, std::span<const std::byte> payload);

  void write_raw(std::span<const std::byte> bytes);

  // Appends a 4-byte placeholder and returns where it is; patch_size_prefix(at) later stores
  // the number of bytes written after it (the frame size, which does not count itself).
  size_t reserve_size_prefix();
  void patch_size_prefix(size_t at);

 private:
  // Length of a string/bytes/records field, -1 for null.
  void write_length(int64_t length, LengthEncoding encoding, int classic_width_bytes);
  template <typename T>
  void append_big_endian(T value);

  std::vector<std::byte> buffer_;
  std::vector<DeferredRecords> deferred_;
};

}  // namespace ringlog::kafka
