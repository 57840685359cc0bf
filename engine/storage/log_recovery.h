#pragma once
// Opening a partition log directory: find the segments, load or rebuild their indexes, and
// recover the active segment after an unclean shutdown.
//
// Without a clean-shutdown marker matching the active segment, the active segment is scanned
// batch by batch from its start (framing, validate(kLog) with its CRC, offsets continuing) and
// truncated at the first batch that fails; its indexes are rebuilt from the scan. A sealed
// segment has index files only once its data was synced (at its roll, or later by SealedSyncs
// for a log that does not flush): its index files are checked (sizes, order, positions inside
// the log, the tail after the last entry framing and continuing the offsets) and it is scanned
// with its CRCs, like the active segment, when they are missing or inconsistent. A corrupt
// batch found in a sealed segment truncates the log there too, and the segments after it are
// deleted. A tail of nothing but zeros after the last batch is no corruption: it is the blocks
// a log that syncs every few appends fills ahead of its writes, left by a crash. It is cut and
// counted, and a sealed segment with one keeps its index files. Every other truncation is
// reported (file, position, reason) in the RecoveryReport and in a line on stderr.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/reactor/task.h"
#include "engine/storage/log_error.h"
#include "engine/storage/log_state.h"

namespace ringlog::storage {

struct Corruption {
  std::string file;
  uint64_t position = 0;  // where the valid data ends; the file was truncated here
  std::string reason;
};

struct RecoveryReport {
  bool clean_shutdown = false;  // a valid marker matched the active segment: no scan
  uint32_t segments_loaded = 0;
  uint32_t segments_scanned = 0;  // read batch by batch with CRC checks
  uint32_t indexes_rebuilt = 0;   // segments whose index files were missing or inconsistent
  uint64_t bytes_truncated = 0;  // cut at corruptions
  // Zeros past the last batch, filled ahead of the writes and left there by a crash
  // (Segment::zero_fill_ahead); cut without being a corruption.
  uint64_t zero_tail_bytes_cut = 0;
  std::vector<Corruption> corruptions;
  std::vector<std::string> files_removed;
};

// Fills `state` (whose fs, dir and options are set) from the directory, creating it and an
// empty first segment if needed. Afterwards appended == written == durable == the log end.
Task<Result<RecoveryReport, LogError>> recover_log(LogState* state);

}  // namespace ringlog::storage
