#include "engine/storage/segment.h"

#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

#include "engine/base/assert.h"
#include "engine/storage/batch_scanner.h"
#include "engine/storage/segment_format.h"

namespace ringlog::storage {

namespace sf = segment_format;

namespace {
// Lookups read this much at a time: an index entry is at most one interval (plus a batch) away.
constexpr size_t kLookupChunkBytes = 16 * 1024;
// Block reservation ahead of the writes (reserve_ahead): bounds of one chunk.
constexpr uint64_t kReserveChunkMinBytes = 1 << 20;
constexpr uint64_t kReserveChunkMaxBytes = 64 << 20;
// Zero filling (zero_fill_ahead) writes this many bytes at a time; its own sync commits the
// file's new size, once per chunk.
constexpr uint64_t kZeroFillChunkBytes = 2 << 20;
// Writes larger than this append past the filled blocks instead: the journal commit a fill
// spares is a fixed cost per sync, the zeros cost per byte, and for 1 MiB group commits of
// 64 KiB appends filling halved the rate (1.5 -> 0.6-1.5 GB/s).
constexpr uint64_t kZeroFillWriteBytesMax = 256 << 10;
constexpr size_t kZeroBufferBytes = 256 << 10;
alignas(4096) const std::byte kZeros[kZeroBufferBytes]{};
}  // namespace

Segment::Paths Segment::paths(const std::string& dir, Offset base_offset) {
  return Paths{dir + "/" + sf::file_name(base_offset, sf::kLogSuffix),
               dir + "/" + sf::file_name(base_offset, sf::kOffsetIndexSuffix),
               dir + "/" + sf::file_name(base_offset, sf::kTimeIndexSuffix)};
}

Result<std::unique_ptr<Segment>, Errno> Segment::open(FileSystem* fs, const std::string& dir,
                                                      Offset base_offset,
                                                      uint32_t index_interval_bytes,
                                                      TimestampMs created) {
  RL_ASSERT(base_offset >= Offset(0));
  RL_ASSERT(index_interval_bytes > 0);
  Paths p = paths(dir, base_offset);
  auto fd = fs->open(p.log, OpenMode::kReadWriteCreate);
  if (!fd) return fd.error();
  auto file = std::make_shared<FileHandle>(*fs, *fd);
  return std::unique_ptr<Segment>(
      new Segment(fs, std::move(p), std::move(file), base_offset, index_interval_bytes, created));
}

Segment::Segment(FileSystem* fs, Paths paths, std::shared_ptr<FileHandle> file, Offset base_offset,
                 uint32_t index_interval_bytes, TimestampMs created)
    : fs_(fs),
      paths_(std::move(paths)),
      file_(std::move(file)),
      base_offset_(base_offset),
      index_interval_bytes_(index_interval_bytes),
      created_(created),
      next_offset_(base_offset),
      rolling_timestamp_(created) {}

void Segment::on_batch_written(uint64_t position, const RecordBatchView& batch) {
  RL_ASSERT(position == size_bytes_, "batches are recorded in file order");
  RL_ASSERT(batch.base_offset() == next_offset_, "offsets continue across batches");
  RL_ASSERT(batch.last_offset() >= batch.base_offset());
  const int64_t relative = batch.base_offset() - base_offset_;
  RL_ASSERT(relative >= 0);
  RL_ASSERT(batch.last_offset() - base_offset_ <= sf::kRelativeOffsetMax);
  const uint64_t size = batch.bytes().size();
  RL_ASSERT(position + size <= sf::kSegmentBytesMax);

  if (position == 0) first_batch_bytes_ = static_cast<uint32_t>(size);
  if (bytes_since_index_entry_ >= index_interval_bytes_) {
    offset_index_.append(RelativeOffset(static_cast<uint32_t>(relative)),
                         static_cast<uint32_t>(position));
    indexed_batch_bytes_.push_back(static_cast<uint32_t>(size));
    if (max_timestamp_ >= TimestampMs(0)) {
      time_index_.maybe_append(max_timestamp_, offset_of_max_timestamp_);
    }
    bytes_since_index_entry_ = 0;
  } else if (!offset_index_.empty() && offset_index_.back().position == position) {
    // The last entry's batch, scanned again after its entry was loaded from the index file.
    indexed_batch_bytes_.back() = static_cast<uint32_t>(size);
  }
  bytes_since_index_entry_ += size;
  if (batch.max_timestamp() > max_timestamp_) {
    max_timestamp_ = batch.max_timestamp();
    offset_of_max_timestamp_ = RelativeOffset(static_cast<uint32_t>(relative));
  }
  size_bytes_ = position + size;
  next_offset_ = batch.last_offset() + 1;
}

void Segment::reset() {
  next_offset_ = base_offset_;
  size_bytes_ = 0;
  offset_index_ = OffsetIndex();
  time_index_ = TimeIndex();
  indexed_batch_bytes_.clear();
  first_batch_bytes_ = 0;
  bytes_since_index_entry_ = 0;
  max_timestamp_ = TimestampMs(-1);
  offset_of_max_timestamp_ = RelativeOffset(0);
  rolling_timestamp_ = created_;
}

uint64_t Segment::restore_indexes(OffsetIndex offset_index, TimeIndex time_index) {
  reset();
  offset_index_ = std::move(offset_index);
  time_index_ = std::move(time_index);
  indexed_batch_bytes_.assign(offset_index_.size(), 0);  // learned again as batches are scanned
  if (offset_index_.empty()) {
    // Nothing indexed: the tail is the whole segment. A time entry needs an offset entry.
    time_index_ = TimeIndex();
    return 0;
  }
  const OffsetIndex::Entry last = offset_index_.back();
  // The state right after the last entry was added, before its batch is recorded.
  size_bytes_ = last.position;
  next_offset_ = base_offset_ + static_cast<int64_t>(last.relative_offset.value());
  bytes_since_index_entry_ = 0;
  if (!time_index_.empty()) {
    max_timestamp_ = time_index_.back().timestamp;
    offset_of_max_timestamp_ = time_index_.back().relative_offset;
  }
  return last.position;
}

void Segment::set_first_batch_timestamp(TimestampMs max_timestamp) {
  if (max_timestamp >= TimestampMs(0)) rolling_timestamp_ = max_timestamp;
}

Result<void, Errno> Segment::truncate_file(uint64_t size_bytes) {
  RL_ASSERT(size_bytes >= size_bytes_, "truncating recorded batches");
  reserved_end_ = 0;
  filled_end_ = std::min(filled_end_, size_bytes);
  return fs_->ftruncate(file_->fd(), size_bytes);
}

void Segment::reserve_ahead(uint64_t end, uint64_t limit, Preallocation mode) {
  if (!reserve_supported_ || end <= reserved_end_ || end >= limit) return;
  const uint64_t chunk = std::clamp<uint64_t>(end, kReserveChunkMinBytes, kReserveChunkMaxBytes);
  const uint64_t target = std::min(limit, end + chunk);
  const uint64_t from = std::max(reserved_end_, size_bytes_);
  auto r = fs_->preallocate(file_->fd(), from, target - from, mode);
  // EOPNOTSUPP: a file system without fallocate; stop asking. Any other failure (ENOSPC) is
  // the write's to report; not retried before the next chunk either way.
  if (!r && r.error().code == EOPNOTSUPP) reserve_supported_ = false;
  reserved_end_ = target;
}

Task<void> Segment::zero_fill_ahead(uint64_t end, uint64_t limit) {
  if (end <= filled_end_ || zero_fill_failed_) co_return;
  if (end - size_bytes_ > kZeroFillWriteBytesMax) co_return;
  const uint64_t from = std::max(filled_end_, size_bytes_);
  const uint64_t to = std::min(limit, from + kZeroFillChunkBytes);
  // A write reaching past a chunk (or the segment's end) extends the file itself.
  if (end > to) co_return;
  // Recorded before the write: a fill that fails half-way leaves zeros up to `to` at most.
  reserved_end_ = std::max(reserved_end_, to);
  std::array<iovec, kZeroFillChunkBytes / kZeroBufferBytes> iov{};
  unsigned count = 0;
  for (uint64_t at = from; at < to; at += kZeroBufferBytes) {
    const size_t n = std::min<uint64_t>(to - at, kZeroBufferBytes);
    iov[count++] = iovec{.iov_base = const_cast<std::byte*>(kZeros), .iov_len = n};
  }
  const WriteSyncResult r = co_await fs_->pwritev_fdatasync(file_->fd(), iov.data(), count, from);
  if (r.write && *r.write == to - from && r.sync) {
    filled_end_ = to;
  } else {
    zero_fill_failed_ = true;  // ENOSPC and the like: appends go on without filling
  }
}

Result<void, Errno> Segment::release_reserve() {
  if (reserved_end_ <= size_bytes_) return {};
  reserved_end_ = 0;
  // Truncating at the current size frees the blocks reserved beyond it.
  return fs_->ftruncate(file_->fd(), size_bytes_);
}

Task<Result<void, Errno>> Segment::write_indexes(bool sync) {
  const std::pair<const std::string*, std::vector<std::byte>> files[] = {
      {&paths_.offset_index, offset_index_.encode()},
      {&paths_.time_index, time_index_.encode()},
  };
  for (const auto& [path, bytes] : files) {
    auto fd = fs_->open(*path, OpenMode::kReadWriteCreate);
    if (!fd) co_return fd.error();
    FileHandle handle(*fs_, *fd);
    auto w = co_await write_all(fs_, *fd, bytes, 0);
    if (!w) co_return w.error();
    auto t = fs_->ftruncate(*fd, bytes.size());
    if (!t) co_return t.error();
    if (sync) {
      auto s = co_await fs_->fdatasync(*fd);
      if (!s) co_return s.error();
    }
  }
  co_return Result<void, Errno>{};
}

Task<Result<void, Errno>> Segment::sync_log() {
  auto r = co_await fs_->fdatasync(file_->fd());
  if (!r) co_return r.error();
  co_return Result<void, Errno>{};
}

Result<void, Errno> Segment::remove_files() {
  removed_ = true;
  auto r = fs_->unlink(paths_.log);
  if (!r && r.error().code != ENOENT) return r.error();
  return remove_index_files();
}

Result<void, Errno> Segment::remove_index_files() {
  for (const std::string* path : {&paths_.offset_index, &paths_.time_index}) {
    auto r = fs_->unlink(*path);
    if (!r && r.error().code != ENOENT) return r.error();
  }
  return {};
}

std::optional<BatchLocation> Segment::locate_offset_in_memory(Offset target) const {
  if (target < base_offset_ || target >= next_offset_) return std::nullopt;
  const auto relative = RelativeOffset(static_cast<uint32_t>(target - base_offset_));
  const std::optional<size_t> i = offset_index_.floor_index(relative);
  const std::vector<OffsetIndex::Entry>& entries = offset_index_.entries();
  RL_DASSERT(indexed_batch_bytes_.size() == entries.size());
  const uint64_t position = i ? entries[*i].position : 0;
  const uint32_t size = i ? indexed_batch_bytes_[*i] : first_batch_bytes_;
  const Offset base =
      i ? base_offset_ + static_cast<int64_t>(entries[*i].relative_offset.value()) : base_offset_;
  const size_t next = i ? *i + 1 : 0;
  const uint64_t next_position = next < entries.size() ? entries[next].position : size_bytes_;
  const Offset next_base =
      next < entries.size()
          ? base_offset_ + static_cast<int64_t>(entries[next].relative_offset.value())
          : next_offset_;
  if (size == 0 || position + size != next_position) return std::nullopt;
  return BatchLocation{.position = position,
                       .size_bytes = size,
                       .base_offset = base,
                       .last_offset = next_base - 1,
                       .max_timestamp = TimestampMs(-1)};
}

Task<Result<std::optional<BatchLocation>, Errno>> Segment::locate_offset(Offset target) {
  if (std::optional<BatchLocation> known = locate_offset_in_memory(target)) co_return known;
  if (target >= next_offset_) co_return std::nullopt;
  uint64_t start = 0;
  if (target > base_offset_) {
    const int64_t relative = target - base_offset_;
    if (auto e = offset_index_.floor(RelativeOffset(static_cast<uint32_t>(relative)))) {
      start = e->position;
    }
  }
  auto found = co_await scan_headers(start, ScanKey::kLastOffset, target.value());
  if (!found) co_return found.error();
  // Recorded bytes always frame: a stop before the end means the file changed under us.
  if (!found->has_value()) co_return Errno{EIO};
  co_return *found;
}

Task<Result<std::optional<BatchLocation>, Errno>> Segment::locate_timestamp(TimestampMs target) {
  if (max_timestamp_ < target || empty()) co_return std::nullopt;
  uint64_t start = 0;
  if (auto e = time_index_.floor_below(target)) {
    auto at =
        co_await locate_offset(base_offset_ + static_cast<int64_t>(e->relative_offset.value()));
    if (!at) co_return at.error();
    if (at->has_value()) start = (*at)->position;
  }
  co_return co_await scan_headers(start, ScanKey::kMaxTimestamp, target.value());
}

Task<Result<std::optional<BatchLocation>, Errno>> Segment::scan_headers(uint64_t start, ScanKey key,
                                                                        int64_t target) {
  // Keep the file alive across the reads even if retention drops the segment meanwhile.
  const std::shared_ptr<FileHandle> file = file_;
  BatchScanner scanner(
      fs_, file->fd(),
      {.start = start, .end = size_bytes_, .chunk_bytes = kLookupChunkBytes, .headers_only = true});
  for (;;) {
    auto next = co_await scanner.next();
    if (!next) co_return next.error();
    if (!next->has_value()) co_return std::nullopt;
    const RecordBatchView& view = (*next)->view;
    const int64_t reached =
        key == ScanKey::kLastOffset ? view.last_offset().value() : view.max_timestamp().value();
    if (reached >= target) {
      co_return BatchLocation{(*next)->position, static_cast<uint32_t>((*next)->size_bytes),
                              view.base_offset(), view.last_offset(), view.max_timestamp()};
    }
  }
}

}  // namespace ringlog::storage
