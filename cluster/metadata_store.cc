#include "cluster/metadata_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "engine/base/assert.h"
#include "engine/storage/crc32c.h"

namespace ringlog::cluster {
namespace {

constexpr char kMagic[8] = {'R', 'L', 'T', 'O', 'P', 'I', 'C', 'S'};
constexpr char kProducerIdsMagic[8] = {'R', 'L', 'P', 'I', 'D', 'S', '0', '1'};
constexpr size_t kHeaderBytes = sizeof(kMagic) + 4 + 4;  // magic, length, crc32c
constexpr size_t kFileBytesMax = 64u << 20;

void put_u32(std::byte* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = std::byte(v >> (24 - 8 * i));
}
uint32_t get_u32(const std::byte* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | std::to_integer<uint32_t>(p[i]);
  return v;
}

Result<void, MetadataError> io_error() {
  return MetadataError{.code = MetadataErrc::kIo, .io = Errno{errno}};
}

Result<void, MetadataError> write_fully(int fd, const std::vector<std::byte>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error();
    done += static_cast<size_t>(n);
  }
  return {};
}

// The body of the file at `path` (magic, length, CRC-32C checked); nullopt if there is none.
Result<std::optional<std::vector<std::byte>>, MetadataError> read_checked(const std::string& path,
                                                                          const char (&magic)[8]) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::vector<std::byte>>{};
    return MetadataError{.code = MetadataErrc::kIo, .io = Errno{errno}};
  }
  std::vector<std::byte> bytes;
  std::byte chunk[64 * 1024];
  while (bytes.size() <= kFileBytesMax) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Errno e{errno};
      ::close(fd);
      return MetadataError{.code = MetadataErrc::kIo, .io = e};
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
  ::close(fd);
  if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), magic, sizeof(magic)) != 0) {
    return MetadataError{.code = MetadataErrc::kCorrupt};
  }
  const uint32_t length = get_u32(bytes.data() + sizeof(magic));
  const uint32_t crc = get_u32(bytes.data() + sizeof(magic) + 4);
  if (bytes.size() != kHeaderBytes + length) return MetadataError{.code = MetadataErrc::kCorrupt};
  std::span<const std::byte> body(bytes.data() + kHeaderBytes, length);
  if (storage::crc32c(body) != crc) return MetadataError{.code = MetadataErrc::kCorrupt};
  return std::optional<std::vector<std::byte>>(std::vector<std::byte>(body.begin(), body.end()));
}

// Writes magic, length, CRC-32C and `body` to a temporary file, syncs it, renames it over `path`
// and syncs the directory: a crash leaves the old file or the new one, never a mix.
Result<void, MetadataError> write_atomically(const std::string& dir, const std::string& path,
                                             const char (&magic)[8],
                                             const std::vector<std::byte>& body) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return io_error();
  std::vector<std::byte> file(kHeaderBytes);
  std::memcpy(file.data(), magic, sizeof(magic));
  put_u32(file.data() + sizeof(magic), static_cast<uint32_t>(body.size()));
  put_u32(file.data() + sizeof(magic) + 4, storage::crc32c(body));
  file.insert(file.end(), body.begin(), body.end());

  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error();
  auto written = write_fully(fd, file);
  if (written && ::fdatasync(fd) != 0) written = io_error();
  ::close(fd);
  if (!written) return written;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return io_error();
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return io_error();
  int rc = ::fsync(dir_fd);
  ::close(dir_fd);
  if (rc != 0) return io_error();
  return {};
}

}  // namespace

std::string to_string(const MetadataError& e) {
  if (e.code == MetadataErrc::kCorrupt) return "metadata file is corrupt";
  return fmt::format("metadata file I/O error: {}", e.io.name());
}

MetadataStore::MetadataStore(std::string data_dir)
    : dir_(data_dir + "/__cluster_metadata"),
      path_(dir_ + "/topics"),
      producer_ids_path_(dir_ + "/producer_ids") {}

Result<TopicTable, MetadataError> MetadataStore::load() const {
  auto body = read_checked(path_, kMagic);
  if (!body) return body.error();
  if (!body->has_value()) return TopicTable{};
  auto table = TopicTable::decode(**body);
  if (!table) return MetadataError{.code = MetadataErrc::kCorrupt};
  return std::move(*table);
}

Result<void, MetadataError> MetadataStore::save(const TopicTable& table) const {
  return write_atomically(dir_, path_, kMagic, table.encode());
}

Result<int64_t, MetadataError> MetadataStore::load_producer_id_mark() const {
  auto body = read_checked(producer_ids_path_, kProducerIdsMagic);
  if (!body) return body.error();
  if (!body->has_value()) return int64_t{0};
  const std::vector<std::byte>& bytes = **body;
  if (bytes.size() != 8) return MetadataError{.code = MetadataErrc::kCorrupt};
  const int64_t mark =
      static_cast<int64_t>((uint64_t{get_u32(bytes.data())} << 32) | get_u32(bytes.data() + 4));
  if (mark < 0) return MetadataError{.code = MetadataErrc::kCorrupt};
  return mark;
}

Result<void, MetadataError> MetadataStore::save_producer_id_mark(int64_t mark) const {
  RL_ASSERT(mark >= 0);
  std::vector<std::byte> body(8);
  put_u32(body.data(), static_cast<uint32_t>(static_cast<uint64_t>(mark) >> 32));
  put_u32(body.data() + 4, static_cast<uint32_t>(static_cast<uint64_t>(mark)));
  return write_atomically(dir_, producer_ids_path_, kProducerIdsMagic, body);
}

}  // namespace ringlog::cluster
