#include "engine/reactor/smp.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>

#include <chrono>
#include <stdexcept>

namespace ringlog::reactor {
namespace {

thread_local Smp* tls_smp = nullptr;

constexpr auto kExitCheckInterval = std::chrono::milliseconds(1);

std::vector<int> available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
    }
  }
  if (cpus.empty()) cpus.push_back(0);
  return cpus;
}

}  // namespace

// ---- ShardLink ----

ShardLink::ShardLink(Smp& smp, ShardId self) : smp_(smp), self_(self) {
  outbound_.resize(smp.size());
  inbound_.resize(smp.size(), nullptr);
  for (uint32_t other = 0; other < smp.size(); ++other) {
    if (other == self.value()) continue;
    outbound_[other].ring = &smp.ring(self, ShardId(other));
    inbound_[other] = &smp.ring(ShardId(other), self);
  }
}

bool ShardLink::try_send_now(ShardId target, Message* msg) {
  Outbound& out = outbound_[target.value()];
  RL_DASSERT(out.ring != nullptr);
  if (out.pending_head != nullptr || !out.ring->try_push(msg)) return false;
  out.dirty = true;
  ++sent_local_;
  return true;
}

void ShardLink::send(ShardId target, Message* msg) {
  RL_ASSERT(target != self_, "send to self");
  if (try_send_now(target, msg)) {
    if (msg->blocked_sender) {
      std::coroutine_handle<> h = std::exchange(msg->blocked_sender, {});
      Reactor::current().schedule(h);
    }
    return;
  }
  // Ring full (or older messages still waiting): keep FIFO order behind them.
  Outbound& out = outbound_[target.value()];
  msg->next_pending = nullptr;
  if (out.pending_tail != nullptr) {
    out.pending_tail->next_pending = msg;
  } else {
    out.pending_head = msg;
  }
  out.pending_tail = msg;
}

void ShardLink::drain_pending(Outbound& out) {
  while (out.pending_head != nullptr) {
    Message* msg = out.pending_head;
    // Read what we need before the push: once published, the receiver owns the message.
    Message* next = msg->next_pending;
    std::coroutine_handle<> blocked = std::exchange(msg->blocked_sender, {});
    if (!out.ring->try_push(msg)) {
      msg->blocked_sender = blocked;
      return;
    }
    out.dirty = true;
    ++sent_local_;
    out.pending_head = next;
    if (next == nullptr) out.pending_tail = nullptr;
    if (blocked) Reactor::current().schedule(blocked);
  }
  out.ring->clear_waiting();
}

void ShardLink::wake_peer(ShardId target) {
  Reactor* peer = smp_.reactor(target);
  Reactor& self = Reactor::current();
  if (self.has_msg_ring()) {
    io_uring_sqe* sqe = self.get_sqe();
    io_uring_prep_msg_ring(sqe, peer->ring_fd(), 0, kWakeUserData, 0);
    io_uring_sqe_set_data64(sqe, kIgnoredUserData);
    sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
  } else {
    peer->wake_from_any_thread();
  }
}

bool ShardLink::poll_inbound() {
  size_t total = 0;
  for (uint32_t source = 0; source < inbound_.size(); ++source) {
    SpscRing<Message*>* ring = inbound_[source];
    if (ring == nullptr) continue;
    size_t n = ring->consume_all([](Message* m) { m->run(m); });
    total += n;
    // Fix: a sender whose ring was full kept its messages in its FIFO and, with nothing else to
    // do, slept in the kernel; nobody woke it when we freed slots, so the group deadlocked
    // (e.g. thousands of posts through a 4-slot ring). It now announces that it waits for room
    // and we wake it.
    if (n > 0 && ring->take_waiting()) wake_peer(ShardId(source));
  }
  if (total > 0) {
    received_local_ += total;
    received.store(received_local_, std::memory_order_release);
  }
  return total > 0;
}

void ShardLink::flush_outbound() {
  bool any_published = false;
  for (uint32_t target = 0; target < outbound_.size(); ++target) {
    Outbound& out = outbound_[target];
    out.wake = false;
    if (out.ring == nullptr) continue;
    if (out.pending_head != nullptr) drain_pending(out);
    if (!out.dirty) continue;
    out.dirty = false;
    out.ring->publish();
    out.wake = true;
    any_published = true;
  }
  if (!any_published) return;
  sent.store(sent_local_, std::memory_order_release);
  // Pairs with the target's seq_cst store of `sleeping` before its last look at its rings.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // Fix: this used to wake every sleeping peer whenever anything was published; now only the
  // targets published to this turn are woken.
  for (uint32_t target = 0; target < outbound_.size(); ++target) {
    if (!outbound_[target].wake) continue;
    Reactor* peer = smp_.reactor(ShardId(target));
    if (!peer->sleeping().load(std::memory_order_seq_cst)) continue;
    wake_peer(ShardId(target));
  }
}

bool ShardLink::has_pending_work() {
  for (SpscRing<Message*>* ring : inbound_) {
    if (ring != nullptr && ring->has_items()) return true;
  }
  // Messages waiting for room: announce that we sleep on them, then look once more (the
  // consumer frees slots and then checks the announcement).
  for (Outbound& out : outbound_) {
    if (out.pending_head == nullptr) continue;
    out.ring->announce_waiting();
    if (out.ring->has_room()) return true;
  }
  return false;
}

void ShardLink::report_idle(bool now_idle) {
  sent.store(sent_local_, std::memory_order_release);
  received.store(received_local_, std::memory_order_release);
  idle.store(now_idle, std::memory_order_release);
}

bool ShardLink::exit_agreed() const { return smp_.exit_agreed(); }

// ---- Smp ----

Smp::Smp(SmpOptions options) : options_(options) {
  cpus_ = available_cpus();
  shard_count_ = options_.shards != 0 ? options_.shards : static_cast<uint32_t>(cpus_.size());
  RL_ASSERT(shard_count_ >= 1);
  rings_.resize(static_cast<size_t>(shard_count_) * shard_count_);
  for (uint32_t from = 0; from < shard_count_; ++from) {
    for (uint32_t to = 0; to < shard_count_; ++to) {
      if (from != to) {
        rings_[from * shard_count_ + to] =
            std::make_unique<SpscRing<Message*>>(options_.ring_capacity);
      }
    }
  }
  reactors_ = std::make_unique<std::atomic<Reactor*>[]>(shard_count_);
  for (uint32_t i = 0; i < shard_count_; ++i) {
    links_.push_back(std::make_unique<ShardLink>(*this, ShardId(i)));
  }
}

Smp::~Smp() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

Smp& Smp::current() {
  RL_ASSERT(tls_smp != nullptr, "not on a shard thread");
  return *tls_smp;
}

void Smp::request_stop() {
  stop_requested_.store(true, std::memory_order_release);
  stop_requested_.notify_all();
  // Fix: a reactor could be destroyed between our load of its pointer and the wake (its
  // eventfd closed or reused). Shards now wait for external_wakers_ to drop to zero after
  // unpublishing their reactor (see shard_main).
  external_wakers_.fetch_add(1, std::memory_order_seq_cst);
  for (uint32_t i = 0; i < shard_count_; ++i) {
    Reactor* r = reactors_[i].load(std::memory_order_seq_cst);
    if (r != nullptr) r->request_stop();
  }
  external_wakers_.fetch_sub(1, std::memory_order_seq_cst);
}

void Smp::shard_main(ShardId id, const std::function<Task<void>(ShardId)>& per_shard) {
  tls_smp = this;
  ReactorOptions reactor_options = options_.reactor;
  if (options_.pin_threads) {
    const int own = cpus_[id.value() % cpus_.size()];
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(own, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    // The shard's io_uring workers run on the other CPUs (see ReactorOptions::io_worker_cpus).
    if (reactor_options.io_worker_cpus.empty()) {
      for (int cpu : cpus_) {
        if (cpu != own) reactor_options.io_worker_cpus.push_back(cpu);
      }
    }
  }
  std::optional<Reactor> reactor;
  try {
    reactor.emplace(id, reactor_options);
  } catch (...) {
    if (!startup_failed_.exchange(true)) startup_error_ = std::current_exception();
  }
  if (reactor) {
    reactor->set_cross_shard_hooks(&link(id));
    reactors_[id.value()].store(&*reactor, std::memory_order_release);
  }
  // Nobody sends before every shard's ring exists.
  started_.fetch_add(1, std::memory_order_acq_rel);
  started_.notify_all();
  for (uint32_t n = started_.load(); n < shard_count_; n = started_.load()) started_.wait(n);

  if (reactor && !startup_failed_.load()) {
    if (stop_requested_.load(std::memory_order_acquire)) reactor->request_stop();
    reactor->spawn(per_shard(id));
    reactor->run();
  }
  // Peers may still look at our `sleeping` flag until everyone is out of the loop.
  finished_.fetch_add(1, std::memory_order_acq_rel);
  finished_.notify_all();
  for (uint32_t n = finished_.load(); n < shard_count_; n = finished_.load()) finished_.wait(n);
  reactors_[id.value()].store(nullptr, std::memory_order_seq_cst);
  // A thread that loaded our pointer before the store above may still be waking us.
  while (external_wakers_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  tls_smp = nullptr;
}

void Smp::wait_for_exit() {
  // Wait for a stop request, then for two identical snapshots with every shard idle and as many
  // messages received as sent: then no shard is working and none can be woken by a message.
  stop_requested_.wait(false);
  uint64_t previous_sent = UINT64_MAX;
  uint64_t previous_received = UINT64_MAX;
  while (!startup_failed_.load()) {
    bool all_idle = true;
    uint64_t sent = 0;
    uint64_t received = 0;
    for (uint32_t i = 0; i < shard_count_; ++i) {
      all_idle = all_idle && links_[i]->idle.load(std::memory_order_acquire);
      received += links_[i]->received.load(std::memory_order_acquire);
    }
    for (uint32_t i = 0; i < shard_count_; ++i)
      sent += links_[i]->sent.load(std::memory_order_acquire);
    if (all_idle && sent == received && sent == previous_sent && received == previous_received) {
      break;
    }
    previous_sent = all_idle ? sent : UINT64_MAX;
    previous_received = all_idle ? received : UINT64_MAX;
    std::this_thread::sleep_for(kExitCheckInterval);
  }
  exit_agreed_.store(true, std::memory_order_release);
  external_wakers_.fetch_add(1, std::memory_order_seq_cst);
  for (uint32_t i = 0; i < shard_count_; ++i) {
    Reactor* r = reactors_[i].load(std::memory_order_seq_cst);
    if (r != nullptr) r->wake_from_any_thread();
  }
  external_wakers_.fetch_sub(1, std::memory_order_seq_cst);
}

void Smp::run(std::function<Task<void>(ShardId)> per_shard) {
  RL_ASSERT(threads_.empty(), "Smp::run is called once");
  for (uint32_t i = 0; i < shard_count_; ++i) {
    threads_.emplace_back([this, i, &per_shard] { shard_main(ShardId(i), per_shard); });
  }
  // A failed start-up counts as a stop so the waits below end.
  for (uint32_t n = started_.load(); n < shard_count_; n = started_.load()) started_.wait(n);
  if (startup_failed_.load()) request_stop();
  wait_for_exit();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  if (startup_error_) std::rethrow_exception(startup_error_);
}

}  // namespace ringlog::reactor
