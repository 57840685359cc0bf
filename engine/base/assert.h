#pragma once
// Assertions for invariants. RL_ASSERT is always on: a broken invariant in a storage engine must
// stop the process before it writes anything wrong. RL_DASSERT is for hot loops and compiles away
// in release builds. Disk, network and input errors are never asserted: they are returned.

#include <cstdio>
#include <cstdlib>

namespace ringlog::detail {

[[noreturn]] inline void assert_failed(const char* condition, const char* file, int line,
                                       const char* message) {
  std::fprintf(stderr, "ringlog: assertion failed: %s at %s:%d%s%s\n", condition, file, line,
               message[0] != '\0' ? ": " : "", message);
  std::fflush(stderr);
  __builtin_trap();
}

}  // namespace ringlog::detail

// RL_ASSERT(cond) or RL_ASSERT(cond, "why this must hold").
#define RL_ASSERT(cond, ...)                                                               \
  do {                                                                                     \
    if (__builtin_expect(!(cond), 0)) {                                                    \
      ::ringlog::detail::assert_failed(#cond, __FILE__, __LINE__, "" __VA_ARGS__);         \
    }                                                                                      \
  } while (false)

#ifdef NDEBUG
#define RL_DASSERT(cond, ...) \
  do {                        \
  } while (false)
#else
#define RL_DASSERT(cond, ...) RL_ASSERT(cond, __VA_ARGS__)
#endif
