#include "apps/ringlog/properties.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace ringlog::apps {
namespace {

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\f";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

}  // namespace

Properties parse_properties(std::string_view text, std::string_view source) {
  Properties out;
  size_t line_no = 0;
  std::string logical;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;

    std::string_view line = trim(raw);
    if (logical.empty() && (line.empty() || line[0] == '#' || line[0] == '!')) {
      if (end == text.size()) break;
      continue;
    }
    if (!line.empty() && line.back() == '\\') {
      logical.append(line.substr(0, line.size() - 1));
      if (end == text.size()) break;
      continue;
    }
    logical.append(line);
    std::string_view entry = logical;
    size_t sep = entry.find_first_of("=:");
    if (sep == std::string_view::npos) {
      throw ConfigError(fmt::format("{}:{}: expected key=value, got '{}'", source, line_no, entry));
    }
    std::string_view key = trim(entry.substr(0, sep));
    std::string_view value = trim(entry.substr(sep + 1));
    if (key.empty()) throw ConfigError(fmt::format("{}:{}: empty key", source, line_no));
    out.insert_or_assign(std::string(key), std::string(value));
    logical.clear();
    if (end == text.size()) break;
  }
  return out;
}

Properties load_properties_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("cannot open config file '{}'", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_properties(buffer.str(), path);
}

}  // namespace ringlog::apps
