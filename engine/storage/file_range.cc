#include "engine/storage/file_range.h"

namespace ringlog::storage {

Task<Result<std::vector<std::byte>, Errno>> read_file_ranges(FileSystem* fs,
                                                             std::vector<FileRange> ranges) {
  uint64_t total = 0;
  for (const FileRange& r : ranges) total += r.length;
  std::vector<std::byte> out(total);
  uint64_t at = 0;
  for (const FileRange& r : ranges) {
    auto got =
        co_await read_exact(fs, r.fd(), std::span(out).subspan(at, r.length), r.position.value());
    if (!got) co_return got.error();
    if (*got != r.length) co_return Errno{EIO};
    at += r.length;
  }
  co_return out;
}

}  // namespace ringlog::storage
