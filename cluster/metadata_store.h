#pragma once
// MetadataStore: the topic table on disk, in <data dir>/__cluster_metadata/topics. Each change
// rewrites the whole file (topics change rarely and the table is small): written to a temporary
// file, synced, renamed over the old one, and the directory synced, so a crash leaves either the
// old table or the new one, never a mix. The file carries a CRC-32C of its contents; a file that
// fails it is reported, never silently replaced.
//
// Calls are synchronous (plain syscalls): used at start-up and on topic changes on shard 0,
// where a few kilobytes and one fsync do not matter next to the request that caused them.

#include <optional>
#include <string>

#include "cluster/topic_table.h"
#include "engine/base/errno.h"
#include "engine/base/result.h"

namespace ringlog::cluster {

enum class MetadataErrc : uint8_t { kIo, kCorrupt };

struct MetadataError {
  MetadataErrc code = MetadataErrc::kIo;
  Errno io{};
};

std::string to_string(const MetadataError& e);

class MetadataStore {
 public:
  explicit MetadataStore(std::string data_dir);

  // The stored table; an empty table when there is none yet.
  Result<TopicTable, MetadataError> load() const;
  Result<void, MetadataError> save(const TopicTable& table) const;

  // The producer-id high-water mark, in <data dir>/__cluster_metadata/producer_ids: no producer
  // id at or above it was ever handed out. 0 when there is no file yet. Same atomic write and
  // CRC as the topic table.
  Result<int64_t, MetadataError> load_producer_id_mark() const;
  Result<void, MetadataError> save_producer_id_mark(int64_t mark) const;

  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
  std::string producer_ids_path_;
};

}  // namespace ringlog::cluster
