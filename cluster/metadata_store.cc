#include "cluster/metadata_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "engine/storage/crc32c.h"

namespace ringlog::cluster {
namespace {

constexpr char kMagic[8] = {'R', 'L', 'T', 'O', 'P', 'I', 'C', 'S'};
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

}  // namespace

std::string to_string(const MetadataError& e) {
  if (e.code == MetadataErrc::kCorrupt) return "metadata file is corrupt";
  return fmt::format("metadata file I/O error: {}", e.io.name());
}

MetadataStore::MetadataStore(std::string data_dir)
    : dir_(data_dir + "/__cluster_metadata"), path_(dir_ + "/topics") {}

Result<TopicTable, MetadataError> MetadataStore::load() const {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return TopicTable{};
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
  if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return MetadataError{.code = MetadataErrc::kCorrupt};
  }
  const uint32_t length = get_u32(bytes.data() + sizeof(kMagic));
  const uint32_t crc = get_u32(bytes.data() + sizeof(kMagic) + 4);
  if (bytes.size() != kHeaderBytes + length) return MetadataError{.code = MetadataErrc::kCorrupt};
  std::span<const std::byte> body(bytes.data() + kHeaderBytes, length);
  if (storage::crc32c(body) != crc) return MetadataError{.code = MetadataErrc::kCorrupt};
  auto table = TopicTable::decode(body);
  if (!table) return MetadataError{.code = MetadataErrc::kCorrupt};
  return std::move(*table);
}

Result<void, MetadataError> MetadataStore::save(const TopicTable& table) const {
  if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) return io_error();
  std::vector<std::byte> body = table.encode();
  std::vector<std::byte> file(kHeaderBytes);
  std::memcpy(file.data(), kMagic, sizeof(kMagic));
  put_u32(file.data() + sizeof(kMagic), static_cast<uint32_t>(body.size()));
  put_u32(file.data() + sizeof(kMagic) + 4, storage::crc32c(body));
  file.insert(file.end(), body.begin(), body.end());

  const std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error();
  auto written = write_fully(fd, file);
  if (written && ::fdatasync(fd) != 0) written = io_error();
  ::close(fd);
  if (!written) return written;
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return io_error();
  int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return io_error();
  int rc = ::fsync(dir_fd);
  ::close(dir_fd);
  if (rc != 0) return io_error();
  return {};
}

}  // namespace ringlog::cluster
