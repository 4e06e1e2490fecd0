// Remembers accepted event ids for the dedup horizon, in bounded memory.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "core/time.hpp"

namespace ccmon::core {

struct DedupOptions {
  Duration horizon = hours(24);
  std::size_t max_ids = 2'000'000;  // hard bound; the oldest ids go first past it
};

class Deduplicator {
 public:
  explicit Deduplicator(DedupOptions options = {});
  ~Deduplicator();

  // True when `id` is new (and now remembered at `now`); false when it was
  // accepted within the horizon: a duplicate.
  bool insert(std::string_view id, Timestamp now);

  // Forgets ids older than the horizon.
  void expire(Timestamp now);

  std::size_t size() const;
  void reconfigure(DedupOptions options);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccmon::core
