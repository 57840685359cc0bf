#pragma once
// Java-style .properties files, as Kafka's server.properties: `key=value` or `key: value` per
// line, `#` and `!` comments, surrounding white space trimmed, a trailing backslash continues
// the value on the next line. Enough for broker configs; no unicode escapes.

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ringlog::apps {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Properties = std::map<std::string, std::string, std::less<>>;

// Parses properties text; `source` names it in error messages (file name).
Properties parse_properties(std::string_view text, std::string_view source);
Properties load_properties_file(const std::string& path);

}  // namespace ringlog::apps
