#pragma once
// FileRange: bytes of a segment file a reader may send as they are: (fd, position, length), with
// a shared owner of the file so it stays open (and readable, even if retention unlinked it)
// until the range is dropped. A fetch splices ranges file → pipe → socket without copying;
// read_file_ranges() copies them into memory for tests and for paths that cannot splice.

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/base/errno.h"
#include "engine/base/result.h"
#include "engine/base/types.h"
#include "engine/storage/file_system.h"

namespace ringlog::storage {

struct FileRange {
  std::shared_ptr<FileHandle> file;
  FilePos position;
  uint32_t length = 0;

  int fd() const { return file->fd(); }
};

// Reads the ranges one after the other into one buffer. EIO if a file ends inside a range.
Task<Result<std::vector<std::byte>, Errno>> read_file_ranges(FileSystem* fs,
                                                             std::vector<FileRange> ranges);

}  // namespace ringlog::storage
