#pragma once
// `ringlog topic create|list|describe|delete|alter-config`: topic administration.

#include <string>
#include <vector>

namespace ringlog::apps {

// `args` are the words after "topic". Returns the process exit code.
int topic_main(std::vector<std::string> args);

}  // namespace ringlog::apps
