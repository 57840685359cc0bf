#pragma once
// The project's strong integer types. Kafka vocabulary: an Offset is a record's position in a
// partition's log; a FilePos a byte position inside one segment file.

#include <cstdint>

#include "engine/base/strong_int.h"

namespace ringlog {

using Offset = StrongInt<int64_t, struct OffsetTag>;
using RelativeOffset = StrongInt<uint32_t, struct RelativeOffsetTag>;
using FilePos = StrongInt<uint64_t, struct FilePosTag>;
using LeaderEpoch = StrongInt<int32_t, struct LeaderEpochTag>;
using ShardId = StrongInt<uint32_t, struct ShardIdTag>;
using NodeId = StrongInt<int32_t, struct NodeIdTag>;
using ProducerId = StrongInt<int64_t, struct ProducerIdTag>;
// Milliseconds since the Unix epoch, as Kafka timestamps are.
using TimestampMs = StrongInt<int64_t, struct TimestampMsTag>;

}  // namespace ringlog
