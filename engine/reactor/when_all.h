#pragma once
// when_all: runs several Tasks of one shard concurrently and returns their results in order.
// Each task is spawned on the current reactor in the order given (so work they queue elsewhere,
// e.g. cross-shard calls, keeps that order) and the caller resumes when the last finishes.

#include <cstddef>
#include <exception>
#include <optional>
#include <vector>

#include "engine/reactor/event.h"
#include "engine/reactor/reactor.h"
#include "engine/reactor/task.h"

namespace ringlog::reactor {

namespace detail {

struct WhenAllState {
  size_t remaining = 0;
  Event done;
  std::exception_ptr error;
};

template <typename T>
Task<void> when_all_one(Task<T> task, std::optional<T>* slot, WhenAllState* state) {
  try {
    slot->emplace(co_await std::move(task));
  } catch (...) {
    if (!state->error) state->error = std::current_exception();
  }
  if (--state->remaining == 0) state->done.set();
}

}  // namespace detail

template <typename T>
Task<std::vector<T>> when_all(std::vector<Task<T>> tasks) {
  std::vector<std::optional<T>> slots(tasks.size());
  detail::WhenAllState state;
  state.remaining = tasks.size();
  Reactor& reactor = Reactor::current();
  for (size_t i = 0; i < tasks.size(); ++i) {
    reactor.spawn(detail::when_all_one(std::move(tasks[i]), &slots[i], &state));
  }
  while (state.remaining > 0) co_await state.done.wait();
  if (state.error) std::rethrow_exception(state.error);
  std::vector<T> out;
  out.reserve(slots.size());
  for (auto& s : slots) out.push_back(std::move(*s));
  co_return out;
}

}  // namespace ringlog::reactor
