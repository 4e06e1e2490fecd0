// Label values from events, interned to small ids and bounded by the
// configured allow-list and cap: what does not fit folds into "other".
#pragma once

#include <absl/hash/hash.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/engine/persist_access.hpp"
#include "core/hash/keyed_hash.hpp"

namespace ccmon::core::engine_detail {

// Label values are client-chosen: hashed under a secret key.
template <typename V>
using StringMap = std::unordered_map<std::string, V, KeyedStringHash, std::equal_to<>>;

using LabelId = std::uint16_t;

class LabelSet {
 public:
  static constexpr LabelId kOther = 0;
  static constexpr LabelId kUnknown = 1;

  LabelSet() : memo_(kMemoSize) {
    intern("other");
    intern("unknown");
  }

  // The key values are hashed under (core/hash/keyed_hash.hpp); set before
  // any value besides the two reserved ones is interned.
  void set_hash_key(const HashKey& key) {
    ids_ = StringMap<LabelId>(0, KeyedStringHash{key});
    allow_ = StringMap<bool>(0, KeyedStringHash{key});
    for (std::size_t i = 0; i < names_.size(); ++i)
      ids_.emplace(names_[i], static_cast<LabelId>(i));
  }

  // Allow-list (empty = any) and cap on distinct values besides the two
  // reserved ones. Values already interned keep their id.
  void set_limits(std::vector<std::string> allow, std::size_t cap) {
    allow_.clear();
    for (auto& a : allow) allow_.emplace(std::move(a), true);
    cap_ = cap;
  }

  // The id for `value`; `folded` is set when it became "other". An empty
  // value means "absent" and maps to "unknown".
  LabelId resolve(std::string_view value, bool& folded) {
    folded = false;
    if (value.empty()) return kUnknown;
    Memo& m = memo_slot(value);
    if (m.used && names_[m.id] == value) return m.id;
    if (auto it = ids_.find(value); it != ids_.end()) {
      m = {it->second, true};
      return it->second;
    }
    if ((!allow_.empty() && allow_.find(value) == allow_.end()) || names_.size() - 2 >= cap_ ||
        names_.size() >= 65535) {
      folded = true;  // not remembered: such values take the keyed lookup each time
      return kOther;
    }
    m = {intern(std::string(value)), true};
    return m.id;
  }

  const std::string& name(LabelId id) const { return names_[id]; }
  std::size_t size() const { return names_.size(); }

 private:
  friend struct persist::Access;

  LabelId intern(std::string value) {
    const auto id = static_cast<LabelId>(names_.size());
    names_.push_back(value);
    ids_.emplace(std::move(value), id);
    return id;
  }

  // A direct-mapped memo of the ids resolved last, in front of the keyed
  // map: a hit costs Abseil's hash of the value and one comparison with the
  // interned name instead of SipHash-2-4 and a bucket walk (resolving an
  // event's labels was a quarter of Engine::apply's instructions,
  // docs/kpis.md). Abseil's hash is not keyed (randomised at most by the
  // address layout), and need not be: a value colliding in the memo only
  // misses it and takes the keyed lookup, a constant more per event, never
  // a longer walk. It holds ids of interned values only, which never change
  // or go away: no entry can go stale, and it copies no client string.
  // 1,024 slots: a hundred queues interleaved mostly hit.
  struct Memo {
    LabelId id = 0;
    bool used = false;
  };
  static constexpr std::size_t kMemoSize = 1024;
  Memo& memo_slot(std::string_view value) {
    return memo_[absl::Hash<std::string_view>{}(value) & (kMemoSize - 1)];
  }

  std::vector<std::string> names_;
  StringMap<LabelId> ids_;
  StringMap<bool> allow_;
  std::size_t cap_ = 0;
  std::vector<Memo> memo_;
};

// The engine's three label sets.
struct Labels {
  LabelSet queues, channels, teams;
};

// Resolves the label values of one event, remembering whether any of them
// folded into "other" (an event counts once in series_folded_total however
// many of its labels folded). Lives for one event: apply() creates it and
// reads `folded` afterwards.
struct EventLabels {
  Labels& sets;
  bool folded = false;

  LabelId queue(std::string_view v) { return note(sets.queues, v); }
  LabelId channel(std::string_view v) { return note(sets.channels, v); }
  LabelId team(std::string_view v) { return note(sets.teams, v); }

 private:
  LabelId note(LabelSet& set, std::string_view v) {
    bool f = false;
    const LabelId id = set.resolve(v, f);
    folded |= f;
    return id;
  }
};

}  // namespace ccmon::core::engine_detail
