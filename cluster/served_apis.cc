#include "cluster/served_apis.h"

#include <vector>

namespace ringlog::cluster {
namespace {

bool is_served(kafka::ApiKey key) {
  switch (key) {
    case kafka::ApiKey::kApiVersions:
    case kafka::ApiKey::kMetadata:
    case kafka::ApiKey::kProduce:
    case kafka::ApiKey::kFetch:
    case kafka::ApiKey::kListOffsets:
    case kafka::ApiKey::kCreateTopics:
    case kafka::ApiKey::kDeleteTopics:
    case kafka::ApiKey::kCreatePartitions:
    case kafka::ApiKey::kDescribeConfigs:
    case kafka::ApiKey::kAlterConfigs:
    case kafka::ApiKey::kIncrementalAlterConfigs:
    case kafka::ApiKey::kDescribeCluster:
    case kafka::ApiKey::kDeleteRecords:
    case kafka::ApiKey::kOffsetForLeaderEpoch:
    case kafka::ApiKey::kFindCoordinator:
    case kafka::ApiKey::kJoinGroup:
    case kafka::ApiKey::kSyncGroup:
    case kafka::ApiKey::kHeartbeat:
    case kafka::ApiKey::kLeaveGroup:
    case kafka::ApiKey::kOffsetCommit:
    case kafka::ApiKey::kOffsetFetch:
    case kafka::ApiKey::kListGroups:
    case kafka::ApiKey::kDescribeGroups:
    case kafka::ApiKey::kDeleteGroups:
    case kafka::ApiKey::kOffsetDelete:
    case kafka::ApiKey::kInitProducerId:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::span<const kafka::ApiVersionRange> served_apis() {
  static const std::vector<kafka::ApiVersionRange> served = [] {
    std::vector<kafka::ApiVersionRange> out;
    for (const kafka::ApiVersionRange& r : kafka::kImplementedApis) {
      if (is_served(r.key)) out.push_back(r);
    }
    return out;
  }();
  return served;
}

}  // namespace ringlog::cluster
