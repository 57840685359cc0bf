#pragma once
// A librdkafka (C API) group consumer for the group acceptance tests: subscribes with a group
// id, polls with bounded waits, reports its assignment, commits synchronously. Also a
// background process (kcat -G) that a test can SIGKILL, to lose a member the hard way.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/integration/acceptance_rdkafka.h"
#include "tests/integration/broker_process.h"

extern char** environ;

namespace ringlog::testing::accept {

class GroupConsumer {
 public:
  // With `commit_on_revoke`, what was consumed is committed before partitions are given up in
  // a rebalance (so the next owner does not receive it again), as careful applications do.
  GroupConsumer(const std::string& bootstrap, const std::string& group, const std::string& topic,
                std::map<std::string, std::string> settings = {}, bool commit_on_revoke = false)
      : commit_on_revoke_(commit_on_revoke) {
    settings.emplace("group.id", group);
    settings.emplace("auto.offset.reset", "earliest");
    settings.emplace("enable.auto.commit", "false");
    settings.emplace("session.timeout.ms", "3000");
    settings.emplace("heartbeat.interval.ms", "300");
    rd_kafka_conf_t* conf = make_conf(bootstrap, settings);
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &GroupConsumer::on_rebalance);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (rk_ == nullptr) throw std::runtime_error(std::string("rd_kafka_new: ") + err);
    rd_kafka_poll_set_consumer(rk_);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk_, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error(std::string("subscribe: ") + rd_kafka_err2name(e));
    }
  }
  ~GroupConsumer() {
    close();
    rd_kafka_destroy(rk_);
  }
  GroupConsumer(const GroupConsumer&) = delete;
  GroupConsumer& operator=(const GroupConsumer&) = delete;

  // Polls (waiting up to `wait` for the first message, then taking what is queued, at most
  // kPollBatch): records go to consumed(), errors to errors().
  void poll(std::chrono::milliseconds wait) {
    constexpr int kPollBatch = 1000;
    int timeout_ms = static_cast<int>(wait.count());
    for (int i = 0; i < kPollBatch; ++i) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, timeout_ms);
      if (m == nullptr) return;
      timeout_ms = 0;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        Consumed c;
        c.partition = m->partition;
        c.offset = m->offset;
        if (m->payload != nullptr) c.value.assign(static_cast<const char*>(m->payload), m->len);
        consumed_.push_back(std::move(c));
      } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        errors_.push_back(m->err);
      }
      rd_kafka_message_destroy(m);
    }
  }

  // The partitions assigned right now.
  std::set<int32_t> assignment() const {
    rd_kafka_topic_partition_list_t* list = nullptr;
    std::set<int32_t> out;
    if (rd_kafka_assignment(rk_, &list) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
    for (int i = 0; i < list->cnt; ++i) out.insert(list->elems[i].partition);
    rd_kafka_topic_partition_list_destroy(list);
    return out;
  }

  // Commits the offsets of what was consumed (synchronously).
  rd_kafka_resp_err_t commit() { return rd_kafka_commit(rk_, nullptr, 0); }

  // Leaves the group (LeaveGroup), once.
  void close() {
    if (closed_) return;
    closed_ = true;
    rd_kafka_consumer_close(rk_);
  }

  const std::vector<Consumed>& consumed() const { return consumed_; }
  const std::vector<rd_kafka_resp_err_t>& errors() const { return errors_; }

 private:
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<GroupConsumer*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      rd_kafka_assign(rk, partitions);
      return;
    }
    if (self->commit_on_revoke_ && !self->consumed_.empty()) rd_kafka_commit(rk, nullptr, 0);
    rd_kafka_assign(rk, nullptr);
  }

  rd_kafka_t* rk_ = nullptr;
  bool commit_on_revoke_ = false;
  bool closed_ = false;
  std::vector<Consumed> consumed_;
  std::vector<rd_kafka_resp_err_t> errors_;
};

// Polls every consumer in turn until `done()` or `timeout`; true if done() became true.
template <typename Done>
bool poll_all(const std::vector<GroupConsumer*>& consumers, std::chrono::milliseconds timeout,
              Done done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    for (GroupConsumer* c : consumers) c->poll(std::chrono::milliseconds(20));
    if (done()) return true;
  }
  return done();
}

// A child process (stdout and stderr to /dev/null) that the test kills by PID.
class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> argv) {
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("posix_spawnp " + argv[0]);
  }
  ~ChildProcess() { kill9(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// Produces ids [first, first + count) as "id-<n>", keyed by the id (spread over partitions).
inline void produce_ids(const BrokerProcess& broker, const std::string& topic, int first,
                        int count) {
  Producer p(broker.bootstrap(), {{"linger.ms", "5"}});
  for (int i = first; i < first + count; ++i) {
    ASSERT_EQ(p.produce(topic, -1, "k" + std::to_string(i), "id-" + std::to_string(i)),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ASSERT_TRUE(p.flush(std::chrono::seconds(30)));
  ASSERT_EQ(p.failed(), 0);
  ASSERT_EQ(static_cast<int>(p.acked().size()), count);
}

inline size_t consumed_count(const std::vector<GroupConsumer*>& consumers) {
  size_t n = 0;
  for (GroupConsumer* c : consumers) n += c->consumed().size();
  return n;
}

// Every consumer has partitions, no partition twice, all of `partitions` covered.
inline bool balanced(const std::vector<GroupConsumer*>& consumers, int partitions) {
  std::multiset<int32_t> all;
  for (GroupConsumer* c : consumers) {
    std::set<int32_t> mine = c->assignment();
    if (mine.empty()) return false;
    all.insert(mine.begin(), mine.end());
  }
  return all.size() == static_cast<size_t>(partitions) &&
         std::set<int32_t>(all.begin(), all.end()).size() == static_cast<size_t>(partitions);
}

}  // namespace ringlog::testing::accept
