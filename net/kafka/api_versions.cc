#include "net/kafka/api_versions.h"

#include "engine/base/assert.h"
#include "net/kafka/messages/api_schemas.h"

namespace ringlog::kafka {

namespace {

// Every advertised range must be covered by its message definition, and every definition must
// be advertised: the table and the schemas cannot drift apart.
// (Loops rather than find_*: GCC's UBSan makes pointer comparisons non-constant.)
constexpr bool table_matches_schemas() {
  for (const ApiVersionRange& range : kImplementedApis) {
    int covering = 0;
    for (const ApiSchema& schema : kApiSchemas) {
      if (schema.key != range.key) continue;
      if (range.min_version > range.max_version) return false;
      if (range.min_version < schema.lowest_version) return false;
      if (range.max_version > schema.highest_version) return false;
      ++covering;
    }
    if (covering != 1) return false;
  }
  for (const ApiSchema& schema : kApiSchemas) {
    if (check_version(schema.key, schema.lowest_version) == VersionSupport::kUnknownApi) {
      return false;
    }
  }
  return kImplementedApis.size() == kApiSchemas.size();
}
static_assert(table_matches_schemas(),
              "kImplementedApis and net/kafka/schema/ disagree on the APIs or their versions");

// librdkafka 2.0's feature checks (README §6.1): each needs one exact version in range.
constexpr bool advertises(ApiKey key, int16_t version) {
  return check_version(key, version) == VersionSupport::kSupported;
}
static_assert(advertises(ApiKey::kProduce, 3) && advertises(ApiKey::kProduce, 7));
// gzip/snappy/lz4 from librdkafka <= 2.11.0: the Produce range must include v0 (api_versions.h).
static_assert(advertises(ApiKey::kProduce, 0));
static_assert(advertises(ApiKey::kFetch, 4) && advertises(ApiKey::kFetch, 10));
static_assert(advertises(ApiKey::kListOffsets, 1));
static_assert(advertises(ApiKey::kApiVersions, 0));
static_assert(advertises(ApiKey::kFindCoordinator, 0) && advertises(ApiKey::kJoinGroup, 0) &&
              advertises(ApiKey::kSyncGroup, 0) && advertises(ApiKey::kHeartbeat, 0) &&
              advertises(ApiKey::kLeaveGroup, 0));
static_assert(advertises(ApiKey::kOffsetCommit, 2) && advertises(ApiKey::kOffsetFetch, 1));
static_assert(advertises(ApiKey::kInitProducerId, 0));

}  // namespace

bool is_flexible_version(ApiKey key, int16_t version) {
  const ApiSchema* schema = find_api_schema(key);
  RL_ASSERT(schema != nullptr, "flexibility asked of an API without a definition");
  return version >= schema->first_flexible_version;
}

}  // namespace ringlog::kafka
