// group_load: end-to-end load on a broker's group coordinator (any Kafka-protocol broker).
//
//   group_load commit    --bootstrap H:P [--connections 4] [--pipeline 32] [--seconds 5]
//                        [--groups 64]
//       OffsetCommit v8 requests outside group management (generation -1), one partition
//       each, to `groups` groups spread over the connections, `pipeline` in flight per
//       connection. Prints commits/s.
//   group_load groups    --bootstrap H:P --groups 10000
//       One commit each for that many new groups (idle groups: no members), then exits; run it
//       between two readings of the broker's RSS to get the memory per group.
//   group_load rebalance --bootstrap H:P [--partitions 12] [--rounds 5]
//       librdkafka consumers: two members consume a `partitions` topic fed by a producer; a
//       third joins and the time until every member consumes again (a record produced after
//       the join) is measured; the third leaves; repeated `rounds` times.
//
// The request codec is ringlog's own (net/kafka), over blocking loopback sockets.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "net/kafka/headers.h"
#include "net/kafka/messages/all_messages.h"
#include "net/kafka/reader.h"
#include "net/kafka/writer.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace ringlog;

struct Args {
  std::string mode;
  std::string host = "127.0.0.1";
  uint16_t port = 9092;
  int connections = 4;
  int pipeline = 32;
  int seconds = 5;
  int groups = 64;
  int partitions = 12;
  int rounds = 5;
};

Args parse(int argc, char** argv) {
  if (argc < 2) throw std::runtime_error("usage: group_load commit|groups|rebalance [options]");
  Args a;
  a.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const std::string v = argv[i + 1];
    if (k == "--bootstrap") {
      auto colon = v.rfind(':');
      a.host = v.substr(0, colon);
      a.port = static_cast<uint16_t>(std::stoi(v.substr(colon + 1)));
    } else if (k == "--connections") {
      a.connections = std::stoi(v);
    } else if (k == "--pipeline") {
      a.pipeline = std::stoi(v);
    } else if (k == "--seconds") {
      a.seconds = std::stoi(v);
    } else if (k == "--groups") {
      a.groups = std::stoi(v);
    } else if (k == "--partitions") {
      a.partitions = std::stoi(v);
    } else if (k == "--rounds") {
      a.rounds = std::stoi(v);
    } else {
      throw std::runtime_error("unknown option " + k);
    }
  }
  return a;
}

// A blocking connection that sends requests and reads whole response frames.
class Socket {
 public:
  Socket(const std::string& host, uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      throw std::runtime_error(fmt::format("connect {}:{}: {}", host, port, std::strerror(errno)));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~Socket() { ::close(fd_); }

  template <typename Request>
  void send(const Request& request, int16_t version) {
    kafka::Writer w;
    kafka::RequestHeader header{.api_key = Request::kApiKey,
                                .api_version = version,
                                .correlation_id = next_id_++,
                                .client_id = std::string("group_load")};
    header.encode(w, kafka::request_header_version(Request::kApiKey, version));
    request.encode(w, version);
    std::vector<std::byte> body = std::move(w).take();
    const uint32_t size = htonl(static_cast<uint32_t>(body.size()));
    write_all(&size, 4);
    write_all(body.data(), body.size());
  }

  // The body of the next response (after its header), decoded as Response.
  template <typename Response>
  Response receive(int16_t version) {
    uint32_t size = 0;
    read_all(&size, 4);
    std::vector<std::byte> frame(ntohl(size));
    read_all(frame.data(), frame.size());
    kafka::Reader r(frame);
    auto header = kafka::ResponseHeader::decode(
        r, kafka::response_header_version(Response::kApiKey, version));
    auto body = Response::decode(r, version);
    if (!header || !body) throw std::runtime_error("undecodable response");
    return std::move(*body);
  }

 private:
  void write_all(const void* data, size_t n) {
    auto* p = static_cast<const char*>(data);
    while (n > 0) {
      ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
      if (w <= 0) throw std::runtime_error("send failed");
      p += w;
      n -= static_cast<size_t>(w);
    }
  }
  void read_all(void* data, size_t n) {
    auto* p = static_cast<char*>(data);
    while (n > 0) {
      ssize_t r = ::recv(fd_, p, n, 0);
      if (r <= 0) throw std::runtime_error("connection closed");
      p += r;
      n -= static_cast<size_t>(r);
    }
  }

  int fd_ = -1;
  int32_t next_id_ = 1;
};

void create_topic(const Args& a, const std::string& name, int partitions) {
  Socket s(a.host, a.port);
  kafka::CreateTopicsRequest request;
  kafka::CreateTopicsRequest::CreatableTopic topic;
  topic.name = name;
  topic.num_partitions = partitions;
  topic.replication_factor = 1;
  request.topics.push_back(topic);
  request.timeout_ms = 10'000;
  s.send(request, 5);
  auto response = s.receive<kafka::CreateTopicsResponse>(5);
  const int16_t e = response.topics.at(0).error_code;
  if (e != 0 && e != 36) throw std::runtime_error(fmt::format("CreateTopics error {}", e));
}

kafka::OffsetCommitRequest commit_request(const std::string& group, int32_t partition,
                                          int64_t offset) {
  kafka::OffsetCommitRequest r;
  r.group_id = group;
  r.generation_id_or_member_epoch = -1;
  kafka::OffsetCommitRequest::OffsetCommitRequestTopic t{.name = "group-load"};
  t.partitions.push_back({.partition_index = partition, .committed_offset = offset});
  r.topics.push_back(std::move(t));
  return r;
}

int check(const kafka::OffsetCommitResponse& response) {
  for (const auto& t : response.topics) {
    for (const auto& p : t.partitions) {
      if (p.error_code != 0) return p.error_code;
    }
  }
  return 0;
}

int run_commit(const Args& a) {
  create_topic(a, "group-load", 12);
  std::atomic<int64_t> total{0};
  std::atomic<int> errors{0};
  const auto end = Clock::now() + std::chrono::seconds(a.seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < a.connections; ++c) {
    threads.emplace_back([&, c] {
      Socket s(a.host, a.port);
      int64_t sent = 0;
      int64_t done = 0;
      auto next = [&] {
        const int g = static_cast<int>((sent * a.connections + c) % a.groups);
        s.send(commit_request(fmt::format("load-{}", g), static_cast<int32_t>(sent % 12), sent), 8);
        ++sent;
      };
      for (int i = 0; i < a.pipeline; ++i) next();
      while (Clock::now() < end) {
        if (int e = check(s.receive<kafka::OffsetCommitResponse>(8)); e != 0) {
          if (errors++ == 0) fmt::print(stderr, "first error: {}\n", e);
        }
        ++done;
        next();
      }
      for (; done < sent; ++done) s.receive<kafka::OffsetCommitResponse>(8);
      total += done;
    });
  }
  for (auto& t : threads) t.join();
  fmt::print(
      "commits {} in {} s: {:.0f} commits/s, {} errors ({} connections x {} in flight, "
      "{} groups)\n",
      total.load(), a.seconds, static_cast<double>(total.load()) / a.seconds, errors.load(),
      a.connections, a.pipeline, a.groups);
  return errors.load() == 0 ? 0 : 1;
}

int run_groups(const Args& a) {
  create_topic(a, "group-load", 12);
  Socket s(a.host, a.port);
  constexpr int kInFlight = 64;
  int sent = 0;
  int done = 0;
  int errors = 0;
  while (done < a.groups) {
    while (sent < a.groups && sent - done < kInFlight) {
      s.send(commit_request(fmt::format("idle-group-{:06}", sent), sent % 12, sent), 8);
      ++sent;
    }
    if (check(s.receive<kafka::OffsetCommitResponse>(8)) != 0) ++errors;
    ++done;
  }
  fmt::print("created {} idle groups (one committed offset each), {} errors\n", a.groups, errors);
  return errors == 0 ? 0 : 1;
}

// ---- rebalance ----

rd_kafka_t* make_client(rd_kafka_type_t type, const Args& a,
                        std::map<std::string, std::string> settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  settings["bootstrap.servers"] = fmt::format("{}:{}", a.host, a.port);
  settings["log_level"] = "3";
  for (const auto& [k, v] : settings) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      throw std::runtime_error(k + ": " + err);
    }
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof(err));
  if (rk == nullptr) throw std::runtime_error(err);
  return rk;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

struct Member {
  rd_kafka_t* rk;
  int64_t consumed_after = 0;  // receive time of the first record sent after the join, 0: none
};

Member* make_member(const Args& a, const std::string& topic) {
  auto* m = new Member{make_client(RD_KAFKA_CONSUMER, a,
                                   {{"group.id", "rebalance-bench"},
                                    {"auto.offset.reset", "latest"},
                                    {"session.timeout.ms", "6000"},
                                    {"heartbeat.interval.ms", "100"},
                                    {"fetch.wait.max.ms", "50"}})};
  rd_kafka_poll_set_consumer(m->rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(m->rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  return m;
}

// Polls `m` without blocking; notes the first record produced after `since_ns`.
void drain(Member* m, int64_t since_ns) {
  for (int i = 0; i < 1000; ++i) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(m->rk, 0);
    if (msg == nullptr) return;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR && msg->len == sizeof(int64_t)) {
      int64_t sent_ns = 0;
      std::memcpy(&sent_ns, msg->payload, sizeof(sent_ns));
      if (since_ns > 0 && sent_ns > since_ns && m->consumed_after == 0)
        m->consumed_after = now_ns();
    }
    rd_kafka_message_destroy(msg);
  }
}

size_t assigned(Member* m) {
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(m->rk, &list) != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
  const size_t n = static_cast<size_t>(list->cnt);
  rd_kafka_topic_partition_list_destroy(list);
  return n;
}

void close_member(Member* m) {
  rd_kafka_consumer_close(m->rk);
  rd_kafka_destroy(m->rk);
  delete m;
}

int run_rebalance(const Args& a) {
  const std::string topic = "rebalance-bench";
  create_topic(a, topic, a.partitions);
  // A producer writes the send time to every partition in turn, one record per 0.5 ms.
  std::atomic<bool> producing{true};
  std::thread producer([&] {
    rd_kafka_t* p = make_client(RD_KAFKA_PRODUCER, a, {{"linger.ms", "0"}});
    int32_t partition = 0;
    while (producing) {
      const int64_t t = now_ns();
      rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_VALUE(const_cast<int64_t*>(&t), sizeof(t)), RD_KAFKA_V_END);
      partition = (partition + 1) % a.partitions;
      rd_kafka_poll(p, 0);
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    rd_kafka_flush(p, 5000);
    rd_kafka_destroy(p);
  });

  std::vector<Member*> members = {make_member(a, topic), make_member(a, topic)};
  auto settle = [&](std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      size_t total = 0;
      bool everyone = true;
      for (Member* m : members) {
        drain(m, 0);
        total += assigned(m);
        everyone = everyone && assigned(m) > 0;
      }
      if (everyone && total == static_cast<size_t>(a.partitions)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  };
  if (!settle(std::chrono::seconds(60))) throw std::runtime_error("two members never settled");

  std::vector<double> times_ms;
  for (int round = 0; round < a.rounds; ++round) {
    for (Member* m : members) m->consumed_after = 0;
    const int64_t t0 = now_ns();
    members.push_back(make_member(a, topic));
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    bool done = false;
    while (!done && Clock::now() < deadline) {
      done = true;
      for (Member* m : members) {
        drain(m, t0);
        done = done && m->consumed_after > 0 && assigned(m) > 0;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    if (!done) throw std::runtime_error("the third member never got the group consuming again");
    int64_t last = 0;
    for (Member* m : members) last = std::max(last, m->consumed_after);
    times_ms.push_back(static_cast<double>(last - t0) / 1e6);
    fmt::print("round {}: 2 -> 3 members, every member consuming again after {:.1f} ms\n",
               round + 1, times_ms.back());
    close_member(members.back());
    members.pop_back();
    if (!settle(std::chrono::seconds(60))) throw std::runtime_error("did not settle back to 2");
  }
  std::sort(times_ms.begin(), times_ms.end());
  fmt::print(
      "rebalance 2 -> 3 members, {} partitions: median {:.1f} ms, min {:.1f}, max {:.1f} "
      "({} rounds)\n",
      a.partitions, times_ms[times_ms.size() / 2], times_ms.front(), times_ms.back(),
      times_ms.size());
  for (Member* m : members) close_member(m);
  producing = false;
  producer.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Args a = parse(argc, argv);
    if (a.mode == "commit") return run_commit(a);
    if (a.mode == "groups") return run_groups(a);
    if (a.mode == "rebalance") return run_rebalance(a);
    throw std::runtime_error("unknown mode " + a.mode);
  } catch (const std::exception& e) {
    fmt::print(stderr, "group_load: {}\n", e.what());
    return 1;
  }
}
