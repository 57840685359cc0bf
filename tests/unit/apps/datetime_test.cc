// Proves `--to-datetime` parses ISO-8601 UTC date-times (optional milliseconds and 'Z') to the
// epoch milliseconds Kafka's timestamps use, and rejects anything else.
#include "apps/ringlog/datetime.h"

#include <gtest/gtest.h>

namespace ringlog::apps {
namespace {

TEST(DatetimeTest, ParsesUtcDateTimesToEpochMilliseconds) {
  EXPECT_EQ(parse_utc_datetime_ms("1970-01-01T00:00:00"), 0);
  EXPECT_EQ(parse_utc_datetime_ms("2024-06-10T06:13:20Z"), 1'718'000'000'000);
  EXPECT_EQ(parse_utc_datetime_ms("2024-06-10 06:13:20.123"), 1'718'000'000'123);
  EXPECT_EQ(parse_utc_datetime_ms("2000-02-29T23:59:59.999Z"), 951'868'799'999);
}

TEST(DatetimeTest, RejectsWhatIsNotADateTime) {
  for (const char* bad : {"", "2024-06-10", "2024-06-10T06:13", "2024-13-01T00:00:00",
                          "2023-02-29T00:00:00", "2024-06-10T24:00:00", "2024-06-10T06:13:20.1",
                          "2024-06-10T06:13:20+02:00", "1718000000000", "2024-06-10T06:13:20ZZ"}) {
    EXPECT_EQ(parse_utc_datetime_ms(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace ringlog::apps
