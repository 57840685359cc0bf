#pragma once
// The APIs (and versions) this broker serves today: the subset of net/kafka's implemented codec
// table whose handlers exist. ApiVersions advertises exactly this list.

#include <span>

#include "net/kafka/api_versions.h"

namespace ringlog::cluster {

std::span<const kafka::ApiVersionRange> served_apis();

}  // namespace ringlog::cluster
