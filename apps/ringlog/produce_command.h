#pragma once
// `ringlog produce TOPIC`: one record per line of stdin.

#include <string>
#include <vector>

namespace ringlog::apps {

// `args` are the words after "produce". Returns the process exit code.
int produce_main(std::vector<std::string> args);

}  // namespace ringlog::apps
