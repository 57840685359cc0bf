#pragma once
// What a request handler hands back to the connection: the response's bytes after the 4-byte
// size prefix, as a sequence of chunks. A chunk is either bytes the handler encoded (headers,
// small bodies) or a range of a file (record batches straight from a segment), which the
// connection moves to the socket with splice, never through user space.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <variant>
#include <vector>

namespace ringlog::server {

// A byte range of an open file. `keep_alive` owns whatever keeps `fd` open (a segment handle)
// until the bytes are on the socket, even if the file is deleted meanwhile.
struct FileRange {
  int fd = -1;
  uint64_t position = 0;
  uint32_t length = 0;
  std::shared_ptr<const void> keep_alive;
};

using ResponseChunk = std::variant<std::vector<std::byte>, FileRange>;

struct Response {
  std::vector<ResponseChunk> chunks;
  // False when the protocol sends nothing back (Produce with acks=0).
  bool send = true;
  // Close the connection after this response (or instead of it, when send is false): unknown
  // API keys, malformed frames, errors on acks=0 produces.
  bool close_after = false;
  // Which shard the request's partitions live on (shard_affinity.h): a shard number,
  // kNoAffinity or kMixedAffinity. The connection may move there (MoveDecider).
  int32_t shard_affinity = -1;

  static Response none() { return Response{.chunks = {}, .send = false, .close_after = false}; }
  static Response close() { return Response{.chunks = {}, .send = false, .close_after = true}; }

  size_t size_bytes() const {
    size_t n = 0;
    for (const ResponseChunk& c : chunks) {
      if (const auto* b = std::get_if<std::vector<std::byte>>(&c)) {
        n += b->size();
      } else {
        n += std::get<FileRange>(c).length;
      }
    }
    return n;
  }
};

}  // namespace ringlog::server
