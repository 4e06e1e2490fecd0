// Label values from events, interned to small ids and bounded by the
// configured allow-list and cap: what does not fit folds into "other".
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/hash/hash.h"
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
    forget_memo();
  }

  // Allow-list (empty = any) and cap on distinct values besides the two
  // reserved ones. Values already interned keep their id.
  void set_limits(std::vector<std::string> allow, std::size_t cap) {
    allow_.clear();
    for (auto& a : allow) allow_.emplace(std::move(a), true);
    cap_ = cap;
    forget_memo();  // a value folded under the old limits may fit now
  }

  // The id for `value`; `folded` is set when it became "other". An empty
  // value means "absent" and maps to "unknown". O(length) whatever the
  // values: the memo's misses, crafted or not, take the keyed lookup.
  LabelId resolve(std::string_view value, bool& folded) {
    folded = false;
    if (value.empty()) return kUnknown;
    Memo& m = memo_slot(value);
    if (m.used && m.value == value) {
      folded = m.folded;
      return m.id;
    }
    LabelId id = kOther;
    if (auto it = ids_.find(value); it != ids_.end()) {
      id = it->second;
    } else if ((!allow_.empty() && allow_.find(value) == allow_.end()) ||
               names_.size() - 2 >= cap_ || names_.size() >= 65535) {
      folded = true;
    } else {
      id = intern(std::string(value));
    }
    m.value.assign(value);
    m.id = id;
    m.folded = folded;
    m.used = true;
    return id;
  }

  const std::string& name(LabelId id) const { return names_[id]; }
  std::size_t size() const { return names_.size(); }

 private:
  friend struct persist::Access;

  LabelId intern(std::string value) {
    const auto id = static_cast<LabelId>(names_.size());
    memo_slot(value).used = false;  // it may have been remembered as folded
    names_.push_back(value);
    ids_.emplace(std::move(value), id);
    return id;
  }

  // A direct-mapped memo of the values resolved last, in front of the keyed
  // map: a hit costs Abseil's hash of the value and one comparison instead
  // of SipHash-2-4 and a bucket walk (resolving two labels per event was a
  // fifth of Engine::apply's instructions, docs/kpis.md). Its hash is not
  // ours to key (Abseil seeds it per process); values that collide in it
  // only miss it and take the keyed lookup, so crafted collisions cost no
  // more than no memo at all. 1,024 slots: a hundred queues interleaved
  // mostly hit.
  struct Memo {
    std::string value;
    LabelId id = 0;
    bool folded = false;
    bool used = false;
  };
  static constexpr std::size_t kMemoSize = 1024;
  Memo& memo_slot(std::string_view value) {
    return memo_[absl::Hash<std::string_view>{}(value) & (kMemoSize - 1)];
  }
  void forget_memo() {
    for (Memo& m : memo_) m.used = false;
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
