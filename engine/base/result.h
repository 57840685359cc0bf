#pragma once
// Result<T, E>: a value or an error, shaped like C++23's std::expected (which GCC 12 lacks).
// Errors are small trivially copyable values (an enum, an errno), so neither success nor
// failure allocates. Propagate explicitly: `if (!r) co_return r.error();`.

#include <type_traits>
#include <utility>
#include <variant>

#include "engine/base/assert.h"

namespace ringlog {

// Wraps an error so a Result can be built from it unambiguously: `return Unexpected{Errc::kX};`
template <typename E>
struct Unexpected {
  E error;
};
template <typename E>
Unexpected(E) -> Unexpected<E>;

template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  using error_type = E;

  Result(T value) : storage_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(E error) : storage_(std::in_place_index<1>, error) {}             // NOLINT: implicit
  template <typename G>
  Result(Unexpected<G> u) : storage_(std::in_place_index<1>, E(u.error)) {}  // NOLINT: implicit

  bool has_value() const { return storage_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    RL_ASSERT(has_value(), "value() on an error Result");
    return std::get<0>(storage_);
  }
  const T& value() const& {
    RL_ASSERT(has_value(), "value() on an error Result");
    return std::get<0>(storage_);
  }
  T&& value() && {
    RL_ASSERT(has_value(), "value() on an error Result");
    return std::get<0>(std::move(storage_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  E error() const {
    RL_ASSERT(!has_value(), "error() on a value Result");
    return std::get<1>(storage_);
  }

 private:
  std::variant<T, E> storage_;
};

// Result of an operation that yields nothing but may fail.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  Result() = default;
  Result(E error) : error_(error), failed_(true) {}  // NOLINT: implicit
  template <typename G>
  Result(Unexpected<G> u) : error_(E(u.error)), failed_(true) {}  // NOLINT: implicit

  bool has_value() const { return !failed_; }
  explicit operator bool() const { return has_value(); }
  E error() const {
    RL_ASSERT(failed_, "error() on a value Result");
    return error_;
  }

 private:
  E error_{};
  bool failed_ = false;
};

}  // namespace ringlog
