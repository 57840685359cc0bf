#pragma once
// `ringlog group list|describe|delete|reset-offsets`: consumer-group administration, as
// kafka-consumer-groups.sh does it (libringlog_client's GroupAdmin and Admin).

#include <string>
#include <vector>

namespace ringlog::apps {

// `args` are the words after "group". Returns the process exit code.
int group_main(std::vector<std::string> args);

}  // namespace ringlog::apps
