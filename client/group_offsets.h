#pragma once
// The arithmetic of consumer-group offsets, kept pure so it is unit-tested without a broker:
// a partition's lag (log end offset - committed offset) and where an offset reset moves a
// partition (kafka-consumer-groups.sh --reset-offsets semantics: every target is clamped to the
// partition's [log start, log end]; a timestamp after the last record means the log end;
// --shift-by needs a committed offset to shift from).

#include <cstdint>
#include <optional>
#include <string>

#include "engine/base/result.h"
#include "engine/base/types.h"

namespace ringlog::client {

// Records not yet consumed by the group in one partition; nullopt when nothing is committed.
// Never negative (a committed offset past the log end, after a truncation, counts as 0).
std::optional<int64_t> consumer_lag(std::optional<Offset> committed, Offset log_end);

struct ResetTarget {
  enum class Kind : uint8_t { kEarliest, kLatest, kOffset, kTimestamp, kShiftBy };
  Kind kind = Kind::kEarliest;
  int64_t value = 0;  // kOffset: the offset; kTimestamp: ms since the epoch; kShiftBy: the shift
};

// What is known of one partition before its reset.
struct PartitionPosition {
  std::string topic;
  int32_t partition = 0;
  std::optional<Offset> committed;
  Offset log_start{0};
  Offset log_end{0};
  // kTimestamp only: the first offset with a timestamp at or after the target (nullopt: none).
  std::optional<Offset> at_timestamp;
};

struct PlannedReset {
  std::string topic;
  int32_t partition = 0;
  std::optional<Offset> current;
  Offset target{0};
};

enum class PlanError : uint8_t {
  kNoCommittedOffset,  // --shift-by on a partition the group never committed
};

Result<PlannedReset, PlanError> plan_reset(const PartitionPosition& position, ResetTarget target);

}  // namespace ringlog::client
