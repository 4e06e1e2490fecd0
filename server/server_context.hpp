// What every session shares: the running configuration, the engine runner,
// the daemon's metrics and lifecycle flags. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "server/adapter_hub.hpp"
#include "server/build_info.hpp"
#include "server/connection_limits.hpp"
#include "server/engine_service.hpp"
#include "server/live_feed.hpp"
#include "server/partition_ownership.hpp"
#include "server/self_metrics.hpp"

namespace ccmon::server {

// An open connection, as shutdown and reload reach it. Both calls are
// thread-safe: they post to the session's strand.
class Closable {
 public:
  virtual ~Closable() = default;
  // Finish what was accepted, then close.
  virtual void close_gracefully() = 0;
  // A reload replaced the configuration (ServerContext::config()).
  virtual void config_changed() {}
};

class ConnectionRegistry {
 public:
  std::uint64_t add(std::weak_ptr<Closable> c);
  void remove(std::uint64_t id);
  void close_all();
  void config_changed_all();
  std::size_t size() const;

 private:
  std::vector<std::shared_ptr<Closable>> live() const;

  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<Closable>> items_;
};

class ServerContext;

// Holds a slot of one listener's ConnectionLimits (and counts in
// ServerContext::open_connections); passed from HttpSession to
// WebSocketSession on upgrade, freed when the socket closes. Used on the
// owning session's strand.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<ServerContext> ctx, ConnectionLimits& limits, std::uint64_t id,
                 Lane lane);
  ~ConnectionSlot();
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

  // Only GET (or HEAD) of /metrics, /-/ready, /-/healthy is served on it.
  bool probes_only() const { return lane_ != Lane::kOrdinary; }
  // A reserved slot serves one probe, then makes room for the next.
  bool reserved() const { return lane_ == Lane::kReserve; }
  Lane lane() const { return lane_; }
  // The connection enters `phase` (ConnectionLimits::enter): in kIdle and
  // kReading, `reclaim` may be called (from the accepting thread) to close
  // it when a new connection needs its slot.
  void enter(Phase phase, std::function<void()> reclaim = {});

 private:
  std::shared_ptr<ServerContext> ctx_;
  ConnectionLimits& limits_;  // outlives the slot: a member of ctx_
  std::uint64_t id_;
  Lane lane_;
};

struct ReloadOutcome {
  bool ok = false;
  std::string message;  // the configuration's source when ok, else every problem
};

class ServerContext {
 public:
  ServerContext(std::shared_ptr<const config::Config> config, SelfMetrics& self_metrics,
                EngineService& engine_runner)
      : metrics(self_metrics), runner(engine_runner), config_(std::move(config)) {}

  std::shared_ptr<const config::Config> config() const {
    std::lock_guard lock(mutex_);
    return config_;
  }
  void set_config(std::shared_ptr<const config::Config> c) {
    std::lock_guard lock(mutex_);
    config_ = std::move(c);
  }

  SelfMetrics& metrics;
  EngineService& runner;
  // The platform adapters' metrics and memory (docs/adapters.md).
  AdapterHub adapters{metrics.registry()};
  ConnectionRegistry connections;
  // Kafka partitions owned and being restored (/-/ready's body).
  PartitionOwnership kafka_partitions;
  std::atomic<bool> ready{false};
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> open_connections{0};  // sockets, HTTP and WebSocket
  ConnectionLimits limits;  // which may open; a reclaimed one still counts above until closed
  // server.metrics_listen's own budget: a flood of the main listener never
  // takes the scrape's connections.
  ConnectionLimits metrics_limits;
  // The wallboard feed (/v1/live): the daemon publishes each tick's view.
  std::shared_ptr<LiveFeed> live = std::make_shared<LiveFeed>(std::string(kVersion));
  // Reloads the configuration off the I/O threads and calls `done` from the
  // reload thread once the new one is in force (or refused). Set by the
  // daemon before the listener runs.
  std::function<void(std::function<void(ReloadOutcome)> done)> reload;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const config::Config> config_;
};

}  // namespace ccmon::server
