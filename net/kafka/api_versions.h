#pragma once
// The versions of each API that net/kafka implements: the one table ApiVersions advertises from
// ("advertises exactly what is implemented"). Ranges follow shared/kafka-protocol/README.md §6:
// floors are the lowest version a target client sends or feature-checks (librdkafka 2.0 needs
// the group APIs, FindCoordinator and InitProducerId from 0, Produce 3 and 7, Fetch 4 and 10,
// ListOffsets 1; and Produce from 0, see below); ceilings stop before topic ids in Fetch (13+),
// KIP-848 group versions and KIP-890/951 producer versions. Every range here lies inside its
// message definition (net/kafka/schema/, checked at compile time in api_versions.cc).
//
// The server may advertise a subset (only the APIs it has handlers for): pass that subset to
// api_versions_answer() and check_version().

#include <array>
#include <cstdint>
#include <span>

#include "net/kafka/api_key.h"

namespace ringlog::kafka {

struct ApiVersionRange {
  ApiKey key;
  int16_t min_version;
  int16_t max_version;
};

inline constexpr std::array kImplementedApis = {
    // The broker's first issue.
    // Produce from v0: librdkafka <= 2.11.0 compresses with gzip, snappy or lz4 only if the
    // broker's Produce range reaches down to v0 (rdkafka_msgset_writer.c asks
    // ApiVersion_supported(Produce, 0, 0) for those codecs; lz4 also needs FindCoordinator).
    // v0-v2 carry magic 0/1 message sets, which this broker refuses per partition
    // (cluster/handlers/produce.cc); magic-2 batches are taken at any version. Fetch stays at
    // v4+: a fetch below v4 expects magic 0/1 and we do not down-convert.
    ApiVersionRange{ApiKey::kProduce, 0, 9},
    ApiVersionRange{ApiKey::kFetch, 4, 12},
    ApiVersionRange{ApiKey::kListOffsets, 1, 7},
    ApiVersionRange{ApiKey::kMetadata, 0, 12},
    ApiVersionRange{ApiKey::kApiVersions, 0, 4},  // v4 is v3 on the wire (KAFKA-17011 only)
    ApiVersionRange{ApiKey::kCreateTopics, 0, 7},
    ApiVersionRange{ApiKey::kDeleteTopics, 0, 6},
    ApiVersionRange{ApiKey::kDeleteRecords, 0, 2},
    ApiVersionRange{ApiKey::kOffsetForLeaderEpoch, 2, 4},
    ApiVersionRange{ApiKey::kDescribeConfigs, 0, 4},
    ApiVersionRange{ApiKey::kAlterConfigs, 0, 2},
    ApiVersionRange{ApiKey::kCreatePartitions, 0, 3},
    ApiVersionRange{ApiKey::kIncrementalAlterConfigs, 0, 1},
    ApiVersionRange{ApiKey::kDescribeCluster, 0, 1},
    // Consumer groups and the idempotent producer.
    ApiVersionRange{ApiKey::kOffsetCommit, 2, 8},
    ApiVersionRange{ApiKey::kOffsetFetch, 1, 8},
    ApiVersionRange{ApiKey::kFindCoordinator, 0, 4},
    ApiVersionRange{ApiKey::kJoinGroup, 0, 9},
    ApiVersionRange{ApiKey::kHeartbeat, 0, 4},
    ApiVersionRange{ApiKey::kLeaveGroup, 0, 5},
    ApiVersionRange{ApiKey::kSyncGroup, 0, 5},
    ApiVersionRange{ApiKey::kDescribeGroups, 0, 5},
    ApiVersionRange{ApiKey::kListGroups, 0, 4},
    ApiVersionRange{ApiKey::kDeleteGroups, 0, 2},
    ApiVersionRange{ApiKey::kOffsetDelete, 0, 0},
    ApiVersionRange{ApiKey::kInitProducerId, 0, 4},
};

// The entry for `key` in `apis`, or nullptr.
constexpr const ApiVersionRange* find_api(
    ApiKey key, std::span<const ApiVersionRange> apis = kImplementedApis) {
  for (const ApiVersionRange& range : apis) {
    if (range.key == key) return &range;
  }
  return nullptr;
}

enum class VersionSupport : uint8_t {
  kSupported,
  kUnknownApi,          // the key is not in the table: Kafka closes the connection
  kUnsupportedVersion,  // known key, version outside its range: UNSUPPORTED_VERSION / close
};

// (No pointer comparisons: GCC's UBSan makes them non-constant in static_asserts.)
constexpr VersionSupport check_version(ApiKey key, int16_t version,
                                       std::span<const ApiVersionRange> apis = kImplementedApis) {
  for (const ApiVersionRange& range : apis) {
    if (range.key != key) continue;
    if (version < range.min_version || version > range.max_version) {
      return VersionSupport::kUnsupportedVersion;
    }
    return VersionSupport::kSupported;
  }
  return VersionSupport::kUnknownApi;
}

// Whether `version` of `key` uses the flexible encoding (compact lengths, tagged fields, request
// header v2 / response header v1). Precondition: net/kafka has a definition of `key`.
bool is_flexible_version(ApiKey key, int16_t version);

}  // namespace ringlog::kafka
