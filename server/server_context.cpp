#include "server/server_context.hpp"

#include <vector>

namespace ccmon::server {

ConnectionSlot::ConnectionSlot(std::shared_ptr<ServerContext> ctx, ConnectionLimits& limits,
                               std::uint64_t id, Lane lane)
    : ctx_(std::move(ctx)), limits_(limits), id_(id), lane_(lane) {
  ctx_->open_connections.fetch_add(1);
}

ConnectionSlot::~ConnectionSlot() {
  limits_.release(id_);
  ctx_->open_connections.fetch_sub(1);
}

void ConnectionSlot::enter(Phase phase, std::function<void()> reclaim) {
  limits_.enter(id_, phase, std::move(reclaim));
}

std::uint64_t ConnectionRegistry::add(std::weak_ptr<Closable> c) {
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  items_.emplace(id, std::move(c));
  return id;
}

void ConnectionRegistry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  items_.erase(id);
}

std::vector<std::shared_ptr<Closable>> ConnectionRegistry::live() const {
  std::vector<std::shared_ptr<Closable>> out;
  std::lock_guard lock(mutex_);
  for (const auto& [id, weak] : items_) {
    if (auto c = weak.lock()) out.push_back(std::move(c));
  }
  return out;
}

void ConnectionRegistry::close_all() {
  for (auto& c : live()) c->close_gracefully();
}

void ConnectionRegistry::config_changed_all() {
  for (auto& c : live()) c->config_changed();
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return items_.size();
}

}  // namespace ccmon::server
