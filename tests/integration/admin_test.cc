// Proves librdkafka's admin client (2.0) manages topics on the real broker process: create,
// list, describe and alter configs, add partitions, delete records (the low watermark moves and
// stays moved across a restart), delete; and that a config change reaches open partitions.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/broker_process.h"

namespace ringlog::testing {
namespace {

constexpr int kTimeoutMs = 10'000;

// One librdkafka producer handle used for admin requests, metadata and producing.
class Admin {
 public:
  explicit Admin(const std::string& bootstrap) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    for (const auto& [k, v] : std::map<std::string, std::string>{{"bootstrap.servers", bootstrap},
                                                                 {"log_level", "3"},
                                                                 {"linger.ms", "0"},
                                                                 {"message.timeout.ms", "10000"}}) {
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        throw std::runtime_error(k + ": " + err);
      }
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_dr_msg_cb(conf, &Admin::on_delivery);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (rk_ == nullptr) throw std::runtime_error(std::string("rd_kafka_new: ") + err);
    queue_ = rd_kafka_queue_new(rk_);
  }
  ~Admin() {
    rd_kafka_flush(rk_, 2000);
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(rk_, 2000);
    rd_kafka_queue_destroy(queue_);
    rd_kafka_destroy(rk_);
  }
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  rd_kafka_t* rk() { return rk_; }
  rd_kafka_queue_t* queue() { return queue_; }

  rd_kafka_AdminOptions_t* options(rd_kafka_admin_op_t op, bool validate_only = false) {
    rd_kafka_AdminOptions_t* o = rd_kafka_AdminOptions_new(rk_, op);
    char err[512];
    rd_kafka_AdminOptions_set_request_timeout(o, kTimeoutMs, err, sizeof(err));
    if (validate_only) rd_kafka_AdminOptions_set_validate_only(o, 1, err, sizeof(err));
    return o;
  }

  // The result event of the admin request just issued, or null after the timeout.
  rd_kafka_event_t* wait(rd_kafka_event_type_t type) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
    while (std::chrono::steady_clock::now() < deadline) {
      rd_kafka_event_t* ev = rd_kafka_queue_poll(queue_, 200);
      if (ev == nullptr) continue;
      if (rd_kafka_event_type(ev) == type) return ev;
      rd_kafka_event_destroy(ev);
    }
    return nullptr;
  }

  // Partition counts by topic, from a metadata request for all topics (never auto-creates).
  std::map<std::string, int> topics() {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 1, nullptr, &md, kTimeoutMs);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error(rd_kafka_err2str(err));
    std::map<std::string, int> out;
    for (int i = 0; i < md->topic_cnt; ++i) out[md->topics[i].topic] = md->topics[i].partition_cnt;
    rd_kafka_metadata_destroy(md);
    return out;
  }

  // Produces `count` records of `value_bytes` to one partition and waits for their reports;
  // returns the error of each.
  std::vector<rd_kafka_resp_err_t> produce(const std::string& topic, int32_t partition, int count,
                                           size_t value_bytes = 16) {
    reports_.clear();
    const std::string value(value_bytes, 'x');
    for (int i = 0; i < count; ++i) {
      rd_kafka_resp_err_t err =
          rd_kafka_producev(rk_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                            RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error(rd_kafka_err2str(err));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (reports_.size() < static_cast<size_t>(count) &&
           std::chrono::steady_clock::now() < deadline) {
      rd_kafka_poll(rk_, 100);
    }
    return reports_;
  }

 private:
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    static_cast<Admin*>(opaque)->reports_.push_back(m->err);
  }

  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;
  std::vector<rd_kafka_resp_err_t> reports_;
};

rd_kafka_resp_err_t create_topic(Admin& admin, const std::string& name, int partitions) {
  rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(name.c_str(), partitions, 1, nullptr, 0);
  rd_kafka_AdminOptions_t* o = admin.options(RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_CreateTopics(admin.rk(), &topic, 1, o, admin.queue());
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_NewTopic_destroy(topic);
  rd_kafka_event_t* ev = admin.wait(RD_KAFKA_EVENT_CREATETOPICS_RESULT);
  if (ev == nullptr) return RD_KAFKA_RESP_ERR__TIMED_OUT;
  rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    err = n == 1 ? rd_kafka_topic_result_error(results[0]) : RD_KAFKA_RESP_ERR__FAIL;
  }
  rd_kafka_event_destroy(ev);
  return err;
}

struct DescribedConfig {
  std::string value;
  bool is_default = false;
  bool read_only = false;
  rd_kafka_ConfigSource_t source = RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG;
};

struct Described {
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR__FAIL;
  std::map<std::string, DescribedConfig> configs;
};

Described describe(Admin& admin, rd_kafka_ResourceType_t type, const std::string& name) {
  rd_kafka_ConfigResource_t* resource = rd_kafka_ConfigResource_new(type, name.c_str());
  rd_kafka_AdminOptions_t* o = admin.options(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  rd_kafka_DescribeConfigs(admin.rk(), &resource, 1, o, admin.queue());
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_ConfigResource_destroy(resource);
  Described out;
  rd_kafka_event_t* ev = admin.wait(RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
  if (ev == nullptr) {
    out.error = RD_KAFKA_RESP_ERR__TIMED_OUT;
    return out;
  }
  out.error = rd_kafka_event_error(ev);
  if (out.error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    size_t n = 0;
    const rd_kafka_ConfigResource_t** resources =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
    if (n != 1) {
      out.error = RD_KAFKA_RESP_ERR__FAIL;
    } else {
      out.error = rd_kafka_ConfigResource_error(resources[0]);
      size_t count = 0;
      const rd_kafka_ConfigEntry_t** entries =
          rd_kafka_ConfigResource_configs(resources[0], &count);
      for (size_t i = 0; i < count; ++i) {
        const char* value = rd_kafka_ConfigEntry_value(entries[i]);
        out.configs[rd_kafka_ConfigEntry_name(entries[i])] =
            DescribedConfig{.value = value != nullptr ? value : "<null>",
                            .is_default = rd_kafka_ConfigEntry_is_default(entries[i]) != 0,
                            .read_only = rd_kafka_ConfigEntry_is_read_only(entries[i]) != 0,
                            .source = rd_kafka_ConfigEntry_source(entries[i])};
      }
    }
  }
  rd_kafka_event_destroy(ev);
  return out;
}

rd_kafka_resp_err_t alter_topic(Admin& admin, const std::string& topic,
                                const std::map<std::string, std::string>& configs,
                                bool validate_only = false) {
  rd_kafka_ConfigResource_t* resource =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  for (const auto& [k, v] : configs)
    rd_kafka_ConfigResource_set_config(resource, k.c_str(), v.c_str());
  rd_kafka_AdminOptions_t* o = admin.options(RD_KAFKA_ADMIN_OP_ALTERCONFIGS, validate_only);
  rd_kafka_AlterConfigs(admin.rk(), &resource, 1, o, admin.queue());
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_ConfigResource_destroy(resource);
  rd_kafka_event_t* ev = admin.wait(RD_KAFKA_EVENT_ALTERCONFIGS_RESULT);
  if (ev == nullptr) return RD_KAFKA_RESP_ERR__TIMED_OUT;
  rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    size_t n = 0;
    const rd_kafka_ConfigResource_t** resources =
        rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
    err = n == 1 ? rd_kafka_ConfigResource_error(resources[0]) : RD_KAFKA_RESP_ERR__FAIL;
  }
  rd_kafka_event_destroy(ev);
  return err;
}

rd_kafka_resp_err_t create_partitions(Admin& admin, const std::string& topic, int total,
                                      bool validate_only = false) {
  char err_text[512];
  rd_kafka_NewPartitions_t* np = rd_kafka_NewPartitions_new(
      topic.c_str(), static_cast<size_t>(total), err_text, sizeof(err_text));
  rd_kafka_AdminOptions_t* o = admin.options(RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, validate_only);
  rd_kafka_CreatePartitions(admin.rk(), &np, 1, o, admin.queue());
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_NewPartitions_destroy(np);
  rd_kafka_event_t* ev = admin.wait(RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT);
  if (ev == nullptr) return RD_KAFKA_RESP_ERR__TIMED_OUT;
  rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
    err = n == 1 ? rd_kafka_topic_result_error(results[0]) : RD_KAFKA_RESP_ERR__FAIL;
  }
  rd_kafka_event_destroy(ev);
  return err;
}

struct DeletedRecords {
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR__FAIL;
  int64_t low_watermark = -1;
};

DeletedRecords delete_records(Admin& admin, const std::string& topic, int32_t partition,
                              int64_t before) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = before;
  rd_kafka_DeleteRecords_t* del = rd_kafka_DeleteRecords_new(list);
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_AdminOptions_t* o = admin.options(RD_KAFKA_ADMIN_OP_DELETERECORDS);
  rd_kafka_DeleteRecords(admin.rk(), &del, 1, o, admin.queue());
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_DeleteRecords_destroy(del);
  DeletedRecords out;
  rd_kafka_event_t* ev = admin.wait(RD_KAFKA_EVENT_DELETERECORDS_RESULT);
  if (ev == nullptr) {
    out.error = RD_KAFKA_RESP_ERR__TIMED_OUT;
    return out;
  }
  out.error = rd_kafka_event_error(ev);
  if (out.error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const rd_kafka_topic_partition_list_t* offsets =
        rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
    if (offsets == nullptr || offsets->cnt != 1) {
      out.error = RD_KAFKA_RESP_ERR__FAIL;
    } else {
      out.error = offsets->elems[0].err;
      out.low_watermark = offsets->elems[0].offset;
    }
  }
  rd_kafka_event_destroy(ev);
  return out;
}

rd_kafka_resp_err_t delete_topic(Admin& admin, const std::string& name) {
  rd_kafka_DeleteTopic_t* topic = rd_kafka_DeleteTopic_new(name.c_str());
  rd_kafka_AdminOptions_t* o = admin.options(RD_KAFKA_ADMIN_OP_DELETETOPICS);
  rd_kafka_DeleteTopics(admin.rk(), &topic, 1, o, admin.queue());
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_DeleteTopic_destroy(topic);
  rd_kafka_event_t* ev = admin.wait(RD_KAFKA_EVENT_DELETETOPICS_RESULT);
  if (ev == nullptr) return RD_KAFKA_RESP_ERR__TIMED_OUT;
  rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
    err = n == 1 ? rd_kafka_topic_result_error(results[0]) : RD_KAFKA_RESP_ERR__FAIL;
  }
  rd_kafka_event_destroy(ev);
  return err;
}

std::pair<int64_t, int64_t> watermarks(Admin& admin, const std::string& topic, int32_t partition) {
  int64_t low = -100;
  int64_t high = -100;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(admin.rk(), topic.c_str(), partition,
                                                             &low, &high, kTimeoutMs);
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  return {low, high};
}

TEST(AdminTest, TopicLifecycleThroughTheAdminApi) {
  BrokerProcess broker({.args = {"--auto.create.topics.enable", "false"}});
  broker.start();
  Admin admin(broker.bootstrap());
  const std::string topic = "admin-lifecycle";

  // Create a 3-partition topic and see it in metadata.
  ASSERT_EQ(create_topic(admin, topic, 3), RD_KAFKA_RESP_ERR_NO_ERROR) << broker.log();
  EXPECT_EQ(admin.topics()[topic], 3);
  EXPECT_EQ(create_topic(admin, topic, 3), RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);

  // Its configs: every one with a value, defaults marked as such.
  Described configs = describe(admin, RD_KAFKA_RESOURCE_TOPIC, topic);
  ASSERT_EQ(configs.error, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_GE(configs.configs.size(), 10u);
  ASSERT_TRUE(configs.configs.count("retention.ms"));
  EXPECT_EQ(configs.configs["retention.ms"].value, "604800000");
  EXPECT_TRUE(configs.configs["retention.ms"].is_default);
  EXPECT_EQ(configs.configs["retention.ms"].source, RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
  EXPECT_FALSE(configs.configs["retention.ms"].read_only);
  ASSERT_TRUE(configs.configs.count("cleanup.policy"));
  EXPECT_EQ(configs.configs["cleanup.policy"].value, "delete");

  // Alter one config and see it described as a topic override; a validate-only change and an
  // invalid value change nothing.
  ASSERT_EQ(alter_topic(admin, topic, {{"retention.ms", "3600000"}}), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(alter_topic(admin, topic, {{"retention.ms", "5"}}, /*validate_only=*/true),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(alter_topic(admin, topic, {{"retention.ms", "soon"}}),
            RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  EXPECT_EQ(alter_topic(admin, topic, {{"no.such.config", "1"}}), RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  configs = describe(admin, RD_KAFKA_RESOURCE_TOPIC, topic);
  ASSERT_EQ(configs.error, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(configs.configs["retention.ms"].value, "3600000");
  EXPECT_FALSE(configs.configs["retention.ms"].is_default);
  EXPECT_EQ(configs.configs["retention.ms"].source, RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  EXPECT_TRUE(configs.configs["segment.bytes"].is_default);

  // Add partitions 3 -> 5 and see 5; validate-only and shrinking change nothing.
  ASSERT_EQ(create_partitions(admin, topic, 5), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(admin.topics()[topic], 5);
  EXPECT_EQ(create_partitions(admin, topic, 8, /*validate_only=*/true), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(create_partitions(admin, topic, 4), RD_KAFKA_RESP_ERR_INVALID_PARTITIONS);
  EXPECT_EQ(admin.topics()[topic], 5);
  // The new partitions take records.
  for (rd_kafka_resp_err_t e : admin.produce(topic, 4, 3)) EXPECT_EQ(e, RD_KAFKA_RESP_ERR_NO_ERROR);

  // Delete records below offset 4 of partition 0 and see the new low watermark.
  std::vector<rd_kafka_resp_err_t> reports = admin.produce(topic, 0, 10);
  ASSERT_EQ(reports.size(), 10u);
  for (rd_kafka_resp_err_t e : reports) EXPECT_EQ(e, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(watermarks(admin, topic, 0), std::make_pair(int64_t{0}, int64_t{10}));
  DeletedRecords deleted = delete_records(admin, topic, 0, 4);
  ASSERT_EQ(deleted.error, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(deleted.low_watermark, 4);
  EXPECT_EQ(watermarks(admin, topic, 0), std::make_pair(int64_t{4}, int64_t{10}));
  // Past the end is refused; the watermark stays.
  EXPECT_EQ(delete_records(admin, topic, 0, 11).error, RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE);
  EXPECT_EQ(watermarks(admin, topic, 0), std::make_pair(int64_t{4}, int64_t{10}));

  // Delete the topic and see it gone.
  ASSERT_EQ(delete_topic(admin, topic), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(admin.topics().count(topic), 0u);
  EXPECT_EQ(delete_topic(admin, topic), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  EXPECT_EQ(describe(admin, RD_KAFKA_RESOURCE_TOPIC, topic).error,
            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
}

TEST(AdminTest, DeletedRecordsStayDeletedAcrossARestart) {
  BrokerProcess broker({.args = {"--auto.create.topics.enable", "false"}});
  broker.start();
  const std::string topic = "admin-restart";
  {
    Admin admin(broker.bootstrap());
    ASSERT_EQ(create_topic(admin, topic, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    std::vector<rd_kafka_resp_err_t> reports = admin.produce(topic, 0, 20);
    ASSERT_EQ(reports.size(), 20u);
    DeletedRecords deleted = delete_records(admin, topic, 0, 7);
    ASSERT_EQ(deleted.error, RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(deleted.low_watermark, 7);
    EXPECT_EQ(watermarks(admin, topic, 0), std::make_pair(int64_t{7}, int64_t{20}));
  }
  ASSERT_EQ(broker.stop(), 0) << broker.log();
  broker.start();
  Admin admin(broker.bootstrap());
  EXPECT_EQ(watermarks(admin, topic, 0), std::make_pair(int64_t{7}, int64_t{20}));
  DeletedRecords all = delete_records(admin, topic, 0, -1);
  ASSERT_EQ(all.error, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(all.low_watermark, 20);
  EXPECT_EQ(watermarks(admin, topic, 0), std::make_pair(int64_t{20}, int64_t{20}));
}

TEST(AdminTest, ConfigChangesReachPartitionsThatAreAlreadyOpen) {
  BrokerProcess broker({.args = {"--auto.create.topics.enable", "false"}});
  broker.start();
  Admin admin(broker.bootstrap());
  const std::string topic = "admin-live-config";
  ASSERT_EQ(create_topic(admin, topic, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  for (rd_kafka_resp_err_t e : admin.produce(topic, 0, 1, 4'000)) {
    EXPECT_EQ(e, RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ASSERT_EQ(alter_topic(admin, topic, {{"max.message.bytes", "1000"}}), RD_KAFKA_RESP_ERR_NO_ERROR);
  std::vector<rd_kafka_resp_err_t> refused = admin.produce(topic, 0, 1, 4'000);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0], RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  // AlterConfigs replaces the overrides: without it the default limit is back.
  ASSERT_EQ(alter_topic(admin, topic, {}), RD_KAFKA_RESP_ERR_NO_ERROR);
  std::vector<rd_kafka_resp_err_t> accepted = admin.produce(topic, 0, 1, 4'000);
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0], RD_KAFKA_RESP_ERR_NO_ERROR);
}

TEST(AdminTest, BrokerConfigsAreDescribedReadOnly) {
  BrokerProcess broker;
  broker.start();
  Admin admin(broker.bootstrap());
  Described configs = describe(admin, RD_KAFKA_RESOURCE_BROKER, "0");
  ASSERT_EQ(configs.error, RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_TRUE(configs.configs.count("num.partitions"));
  EXPECT_TRUE(configs.configs["num.partitions"].read_only);
  EXPECT_EQ(configs.configs["broker.id"].value, "0");
}

}  // namespace
}  // namespace ringlog::testing
