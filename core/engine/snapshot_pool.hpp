// Recycles snapshot storage: a snapshot of 10,000 series is ~40 MB, and
// allocating one afresh every second costs page faults that dominated its
// build time. The engine thread takes storage, fills it and publishes it;
// when the last reader (on any thread) releases a published snapshot, its
// deleter hands the storage back to a one-place spare slot, from which the
// next take() reuses it.
//
// Why this is race-free by the standard alone: a reader's last use of the
// snapshot happens before its shared_ptr is destroyed, and shared_ptr calls
// the deleter only after every owner is gone, without a data race with them
// ([util.smartptr.shared.dest], [res.on.data.races]); the deleter stores the
// storage with a release exchange, and take() loads it with an acquire
// exchange, so every reader's reads happen before the engine's next writes.
// Thread-safety: take() and publish() on the engine thread; the deleter on
// any thread. Published snapshots may outlive the pool (the slot is shared).
#pragma once

#include <atomic>
#include <memory>

#include "core/engine/snapshot.hpp"

namespace ccmon::core::engine_detail {

class SnapshotPool {
 public:
  // The spare storage (contents left from its last use: overwrite every
  // field), or fresh storage if none was returned yet.
  std::unique_ptr<Snapshot> take() {
    std::unique_ptr<Snapshot> s(slot_->spare.exchange(nullptr, std::memory_order_acquire));
    return s ? std::move(s) : std::make_unique<Snapshot>();
  }

  // Shares a filled snapshot with readers; its storage comes back to the
  // spare slot when the last of them lets go.
  std::shared_ptr<const Snapshot> publish(std::unique_ptr<Snapshot> s) {
    return std::shared_ptr<const Snapshot>(s.release(), GiveBack{slot_});
  }

 private:
  struct Slot {
    std::atomic<Snapshot*> spare{nullptr};
    ~Slot() { delete spare.load(std::memory_order_acquire); }
  };
  struct GiveBack {
    std::shared_ptr<Slot> slot;
    // Called with the pointer given to the shared_ptr: non-const storage.
    void operator()(Snapshot* p) const {
      // One spare is enough (the engine fills one snapshot at a time); an
      // older spare still there is freed.
      delete slot->spare.exchange(p, std::memory_order_acq_rel);
    }
  };

  std::shared_ptr<Slot> slot_ = std::make_shared<Slot>();
};

}  // namespace ccmon::core::engine_detail
