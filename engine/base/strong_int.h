#pragma once
// StrongInt<T, Tag>: an integer that does not mix with other integers. Every offset-like value
// (Offset, FilePos, ShardId, ...) gets its own type so a file position can never be passed where
// a Kafka offset is expected.

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>

namespace ringlog {

template <typename T, typename Tag>
class StrongInt {
 public:
  using value_type = T;

  constexpr StrongInt() = default;
  constexpr explicit StrongInt(T v) : value_(v) {}

  constexpr T value() const { return value_; }

  static constexpr StrongInt max() { return StrongInt(std::numeric_limits<T>::max()); }
  static constexpr StrongInt min() { return StrongInt(std::numeric_limits<T>::min()); }

  constexpr auto operator<=>(const StrongInt&) const = default;

  // Adding a plain count keeps the type (offset + 3); the distance between two values is a T.
  constexpr StrongInt operator+(T delta) const { return StrongInt(value_ + delta); }
  constexpr StrongInt operator-(T delta) const { return StrongInt(value_ - delta); }
  constexpr T operator-(StrongInt other) const { return value_ - other.value_; }
  constexpr StrongInt& operator+=(T delta) {
    value_ += delta;
    return *this;
  }
  constexpr StrongInt& operator++() {
    ++value_;
    return *this;
  }

  friend std::ostream& operator<<(std::ostream& os, StrongInt v) { return os << v.value_; }

 private:
  T value_{};
};

}  // namespace ringlog

template <typename T, typename Tag>
struct std::hash<ringlog::StrongInt<T, Tag>> {
  size_t operator()(ringlog::StrongInt<T, Tag> v) const noexcept { return std::hash<T>{}(v.value()); }
};
