#include "client/group_offsets.h"

#include <algorithm>
#include <limits>

namespace ringlog::client {

namespace {

// a + b, saturated at the int64 range (a --shift-by of any size must not overflow).
int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  }
  return sum;
}

}  // namespace

std::optional<int64_t> consumer_lag(std::optional<Offset> committed, Offset log_end) {
  if (!committed) return std::nullopt;
  return std::max<int64_t>(0, log_end - *committed);
}

Result<PlannedReset, PlanError> plan_reset(const PartitionPosition& position, ResetTarget target) {
  RL_ASSERT(position.log_start <= position.log_end, "log start after log end");
  int64_t wanted = 0;
  switch (target.kind) {
    case ResetTarget::Kind::kEarliest:
      wanted = position.log_start.value();
      break;
    case ResetTarget::Kind::kLatest:
      wanted = position.log_end.value();
      break;
    case ResetTarget::Kind::kOffset:
      wanted = target.value;
      break;
    case ResetTarget::Kind::kTimestamp:
      wanted = position.at_timestamp.value_or(position.log_end).value();
      break;
    case ResetTarget::Kind::kShiftBy:
      if (!position.committed) return PlanError::kNoCommittedOffset;
      wanted = saturating_add(position.committed->value(), target.value);
      break;
  }
  const int64_t clamped = std::clamp(wanted, position.log_start.value(), position.log_end.value());
  return PlannedReset{.topic = position.topic,
                      .partition = position.partition,
                      .current = position.committed,
                      .target = Offset(clamped)};
}

}  // namespace ringlog::client
