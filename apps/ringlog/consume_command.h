#pragma once
// `ringlog consume TOPIC`: print records from a chosen position, formatted.

#include <string>
#include <vector>

#include "client/records.h"

namespace ringlog::apps {

// `args` are the words after "consume". Returns the process exit code.
int consume_main(std::vector<std::string> args);

// Expands a kcat-style format for one record: %t topic, %p partition, %o offset, %k key,
// %s or %v value, %T timestamp (ms), %h headers (k=v,k2=v2), %K key bytes, %S value bytes,
// %% a percent sign; \n, \t and \\ escapes. A newline is added unless the format ends with one.
std::string format_record(std::string_view format, std::string_view topic,
                          const client::Record& record);

}  // namespace ringlog::apps
