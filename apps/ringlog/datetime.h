#pragma once
// Parsing of the `--to-datetime` argument of `ringlog group reset-offsets`.

#include <cstdint>
#include <optional>
#include <string_view>

namespace ringlog::apps {

// "YYYY-MM-DDTHH:MM:SS[.sss][Z]" (UTC; a space may stand for the 'T') as milliseconds since the
// epoch; nullopt if the text is not such a date and time.
std::optional<int64_t> parse_utc_datetime_ms(std::string_view text);

}  // namespace ringlog::apps
