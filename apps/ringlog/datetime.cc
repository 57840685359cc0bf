#include "apps/ringlog/datetime.h"

#include <charconv>
#include <chrono>

namespace ringlog::apps {

namespace {

// Reads exactly `digits` decimal digits at `*at`, advancing it.
std::optional<int> read_number(std::string_view text, size_t* at, size_t digits) {
  if (*at + digits > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < digits; ++i) {
    const char c = text[*at + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  *at += digits;
  return value;
}

bool expect(std::string_view text, size_t* at, std::string_view one_of) {
  if (*at >= text.size() || one_of.find(text[*at]) == std::string_view::npos) return false;
  ++*at;
  return true;
}

}  // namespace

std::optional<int64_t> parse_utc_datetime_ms(std::string_view text) {
  size_t at = 0;
  const std::optional<int> year = read_number(text, &at, 4);
  if (!year || !expect(text, &at, "-")) return std::nullopt;
  const std::optional<int> month = read_number(text, &at, 2);
  if (!month || !expect(text, &at, "-")) return std::nullopt;
  const std::optional<int> day = read_number(text, &at, 2);
  if (!day || !expect(text, &at, "T ")) return std::nullopt;
  const std::optional<int> hour = read_number(text, &at, 2);
  if (!hour || !expect(text, &at, ":")) return std::nullopt;
  const std::optional<int> minute = read_number(text, &at, 2);
  if (!minute || !expect(text, &at, ":")) return std::nullopt;
  const std::optional<int> second = read_number(text, &at, 2);
  if (!second) return std::nullopt;
  int millis = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    const std::optional<int> ms = read_number(text, &at, 3);
    if (!ms) return std::nullopt;
    millis = *ms;
  }
  if (at < text.size() && text[at] == 'Z') ++at;
  if (at != text.size()) return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 59) return std::nullopt;

  using namespace std::chrono;
  const year_month_day date{std::chrono::year(*year),
                            std::chrono::month(static_cast<unsigned>(*month)),
                            std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  const milliseconds ms = duration_cast<milliseconds>(sys_days(date).time_since_epoch()) +
                          hours(*hour) + minutes(*minute) + seconds(*second) + milliseconds(millis);
  return ms.count();
}

}  // namespace ringlog::apps
