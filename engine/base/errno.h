#pragma once
// Errno: an OS error code as a value (positive, as in <cerrno>). Reactor and storage I/O return
// Result<T, Errno>; the layer above maps it to its own error once, at its boundary.

#include <cstring>

namespace ringlog {

struct Errno {
  int code = 0;

  const char* name() const { return ::strerrordesc_np(code); }
  friend bool operator==(Errno a, Errno b) { return a.code == b.code; }
};

}  // namespace ringlog
