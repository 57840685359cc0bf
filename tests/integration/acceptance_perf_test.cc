// Proves the broker carries a real load from librdkafka's rdkafka_performance: 1,000,000 records
// of 1 KiB produced (acks=all) and consumed back with no errors. (About 2 s in a release build.)
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "tests/integration/acceptance_util.h"

namespace ringlog::testing::accept {
namespace {

using namespace std::chrono_literals;

TEST(PerfTest, RdkafkaPerformanceProducesAndConsumesAMillionRecordsOfOneKib) {
  BrokerProcess broker;
  broker.start();
  const std::string tool = RINGLOG_RDKAFKA_PERFORMANCE;
  CommandResult p = run_command({tool, "-P", "-t", "perf", "-p", "0", "-s", "1024", "-c", "1000000",
                                 "-b", broker.bootstrap(), "-X", "acks=all", "-X", "linger.ms=5"},
                                "", 240s);
  ASSERT_EQ(p.exit_code, 0) << p.out << p.err;
  const std::string produced = p.out + p.err;
  // The tool prints a progress line every second and the totals last: take the last one.
  const std::regex totals(R"((\d+) messages produced \((\d+) bytes\), (\d+) )"
                          R"(delivered \(offset \d+, (\d+) failed\))");
  std::smatch m;
  for (auto it = std::sregex_iterator(produced.begin(), produced.end(), totals);
       it != std::sregex_iterator(); ++it) {
    m = *it;
  }
  ASSERT_FALSE(m.empty()) << produced;
  EXPECT_EQ(m[1].str(), "1000000");
  EXPECT_EQ(m[2].str(), "1024000000");
  EXPECT_EQ(m[3].str(), "1000000") << produced;
  EXPECT_EQ(m[4].str(), "0") << produced;
  EXPECT_EQ(produced.find("ERROR"), std::string::npos) << produced;

  CommandResult c = run_command({tool, "-C", "-t", "perf", "-p", "0", "-o", "beginning", "-c",
                                 "1000000", "-b", broker.bootstrap(), "-X", "fetch.wait.max.ms=1"},
                                "", 240s);
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  const std::string consumed = c.out + c.err;
  EXPECT_NE(consumed.find("% 1000000 messages (1024000000 bytes) consumed"), std::string::npos)
      << consumed;
  EXPECT_EQ(consumed.find("ERROR"), std::string::npos) << consumed;
  EXPECT_TRUE(pid_alive(broker.pid()));
}

}  // namespace
}  // namespace ringlog::testing::accept
