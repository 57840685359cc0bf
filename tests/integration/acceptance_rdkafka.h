#pragma once
// A small librdkafka (C API) producer and simple (legacy, group-less) partition consumer for the
// acceptance tests. Every wait is bounded; delivery reports are counted and their payloads kept.

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ringlog::testing::accept {

inline rd_kafka_conf_t* make_conf(const std::string& bootstrap,
                                  const std::map<std::string, std::string>& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      throw std::runtime_error("rdkafka config " + k + ": " + err);
    }
  };
  set("bootstrap.servers", bootstrap);
  set("log_level", "3");
  for (const auto& [k, v] : settings) set(k, v);
  return conf;
}

struct Header {
  std::string name;
  std::string value;
};

class Producer {
 public:
  Producer(const std::string& bootstrap, std::map<std::string, std::string> settings = {}) {
    rd_kafka_conf_t* conf = make_conf(bootstrap, settings);
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_dr_msg_cb(conf, &Producer::on_delivery);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (rk_ == nullptr) throw std::runtime_error(std::string("rd_kafka_new: ") + err);
  }
  ~Producer() {
    // Bounded: whatever is still queued is dropped (purged) after a short flush.
    rd_kafka_flush(rk_, 2000);
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(rk_, 2000);
    rd_kafka_destroy(rk_);
  }
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one record; retries on a full queue while serving callbacks. Partition -1: the
  // partitioner picks. Timestamp 0: librdkafka's now.
  rd_kafka_resp_err_t produce(const std::string& topic, int32_t partition,
                              const std::optional<std::string>& key, const std::string& value,
                              const std::vector<Header>& headers = {}, int64_t timestamp = 0) {
    for (int attempt = 0; attempt < 10'000; ++attempt) {
      rd_kafka_headers_t* hdrs = nullptr;
      if (!headers.empty()) {
        hdrs = rd_kafka_headers_new(headers.size());
        for (const Header& h : headers) {
          rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()),
                              h.value.data(), static_cast<ssize_t>(h.value.size()));
        }
      }
      const void* key_data = key ? key->data() : nullptr;
      const size_t key_size = key ? key->size() : 0;
      rd_kafka_resp_err_t e = rd_kafka_producev(
          rk_, RD_KAFKA_V_TOPIC(topic.c_str()),
          RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(key_data, key_size),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_TIMESTAMP(timestamp), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++queued_;
        return e;
      }
      if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) return e;
      rd_kafka_poll(rk_, 10);
    }
    return RD_KAFKA_RESP_ERR__QUEUE_FULL;
  }

  void poll(int ms = 0) { rd_kafka_poll(rk_, ms); }
  // Flushes with a bound; returns true if nothing is left in flight.
  bool flush(std::chrono::milliseconds timeout) {
    return rd_kafka_flush(rk_, static_cast<int>(timeout.count())) == RD_KAFKA_RESP_ERR_NO_ERROR;
  }

  rd_kafka_t* handle() { return rk_; }
  int64_t queued() const { return queued_; }
  // Values of records whose delivery report had no error, in report order.
  const std::vector<std::string>& acked() const { return acked_; }
  int64_t failed() const { return failed_; }
  const std::map<std::string, int>& failure_reasons() const { return failure_reasons_; }

 private:
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<Producer*>(opaque);
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      self->acked_.emplace_back(static_cast<const char*>(m->payload), m->len);
    } else {
      ++self->failed_;
      ++self->failure_reasons_[rd_kafka_err2name(m->err)];
    }
  }

  rd_kafka_t* rk_ = nullptr;
  int64_t queued_ = 0;
  std::vector<std::string> acked_;
  int64_t failed_ = 0;
  std::map<std::string, int> failure_reasons_;
};

struct Consumed {
  int32_t partition = -1;
  int64_t offset = -1;
  std::optional<std::string> key;
  std::string value;
  int64_t timestamp = -1;
  rd_kafka_timestamp_type_t timestamp_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  std::vector<Header> headers;
};

// A group-less consumer of one partition (the legacy simple consumer API: no coordinator).
class PartitionConsumer {
 public:
  PartitionConsumer(const std::string& bootstrap, const std::string& topic, int32_t partition,
                    std::map<std::string, std::string> settings = {},
                    std::map<std::string, std::string> topic_settings = {})
      : partition_(partition) {
    settings.emplace("enable.partition.eof", "true");
    rd_kafka_conf_t* conf = make_conf(bootstrap, settings);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (rk_ == nullptr) throw std::runtime_error(std::string("rd_kafka_new: ") + err);
    rd_kafka_topic_conf_t* tconf = rd_kafka_topic_conf_new();
    for (const auto& [k, v] : topic_settings) {
      rd_kafka_topic_conf_set(tconf, k.c_str(), v.c_str(), err, sizeof(err));
    }
    rkt_ = rd_kafka_topic_new(rk_, topic.c_str(), tconf);
  }
  ~PartitionConsumer() {
    if (started_) rd_kafka_consume_stop(rkt_, partition_);
    rd_kafka_topic_destroy(rkt_);
    rd_kafka_destroy(rk_);
  }
  PartitionConsumer(const PartitionConsumer&) = delete;
  PartitionConsumer& operator=(const PartitionConsumer&) = delete;

  bool start(int64_t offset) {
    started_ = rd_kafka_consume_start(rkt_, partition_, offset) == 0;
    return started_;
  }
  rd_kafka_resp_err_t seek(int64_t offset) {
    return rd_kafka_seek(rkt_, partition_, offset, 10'000);
  }

  // Next record, or nullopt at partition EOF / after `timeout`; errors other than EOF are stored
  // in errors().
  std::optional<Consumed> next(std::chrono::milliseconds timeout, bool* eof = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consume(rkt_, partition_, 200);
      if (m == nullptr) continue;
      std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> guard(
          m, rd_kafka_message_destroy);
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (eof != nullptr) *eof = true;
        return std::nullopt;
      }
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        errors_.push_back(m->err);
        continue;
      }
      Consumed c;
      c.partition = m->partition;
      c.offset = m->offset;
      if (m->key != nullptr) c.key.emplace(static_cast<const char*>(m->key), m->key_len);
      if (m->payload != nullptr) c.value.assign(static_cast<const char*>(m->payload), m->len);
      c.timestamp = rd_kafka_message_timestamp(m, &c.timestamp_type);
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) ==
                           RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          c.headers.push_back(
              {name, value ? std::string(static_cast<const char*>(value), size) : ""});
        }
      }
      return c;
    }
    return std::nullopt;
  }

  // Everything up to partition EOF (bounded by `timeout` overall).
  std::vector<Consumed> drain(std::chrono::milliseconds timeout) {
    std::vector<Consumed> out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      bool eof = false;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto c = next(left, &eof);
      if (!c) break;
      out.push_back(std::move(*c));
    }
    return out;
  }

  const std::vector<rd_kafka_resp_err_t>& errors() const { return errors_; }
  rd_kafka_t* handle() { return rk_; }

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_topic_t* rkt_ = nullptr;
  int32_t partition_;
  bool started_ = false;
  std::vector<rd_kafka_resp_err_t> errors_;
};

}  // namespace ringlog::testing::accept
