// A trailing window: a ring of buckets W/60 wide keyed by event time, plus
// running totals of the buckets inside the window so a snapshot reads the
// totals instead of re-summing the ring.
//
// Bucket k holds event times in (k*w, (k+1)*w], so when `now` sits on a
// bucket edge the window is exactly (now - W, now]; otherwise its start is
// rounded up to the next edge (it covers between W - w and W).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "core/engine/assert.hpp"
#include "core/engine/persist_access.hpp"
#include "core/engine/wait_bins.hpp"
#include "core/time.hpp"

namespace ccmon::core::engine_detail {

inline constexpr int kBucketsPerWindow = 60;
inline constexpr std::int64_t kNoBucket = std::numeric_limits<std::int64_t>::min();

inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Sparse small counters (wait bins, deflection channels) kept per bucket.
using SparseCounts = std::vector<std::pair<std::uint16_t, std::uint32_t>>;

// Sorted by key: a busy coarse bucket (1h, 24h) holds a hundred wait bins,
// so lookups are binary searches; new keys are rare once the bucket is warm.
inline void sparse_add(SparseCounts& c, std::uint16_t key, std::uint32_t n) {
  auto it = std::lower_bound(c.begin(), c.end(), key,
                             [](const auto& e, std::uint16_t k) { return e.first < k; });
  if (it != c.end() && it->first == key) {
    it->second += n;
  } else {
    // Start at 8 entries: growing 1, 2, 4 is three allocations per fresh bucket.
    if (c.capacity() == 0) {
      c.reserve(8);
      it = c.end();  // empty: the insertion point is the end
    }
    c.insert(it, {key, n});
  }
}

// What one event adds to a bucket: at most kCapacity fields (a survey with
// CSAT, NPS and CES adds 8, the most any event adds).
struct Delta {
  static constexpr int kCapacity = 8;
  struct Field {  // trivial on purpose: see `fields`
    std::uint8_t field;
    std::int64_t value;
  };
  // Only fields[0, size) are ever read: left uninitialised, because zeroing
  // 128 bytes for every delta cost 2 % of the engine's instructions.
  std::array<Field, kCapacity> fields;
  int size = 0;
  std::int64_t wait = -1;     // a wait sample (us) for max and quantiles
  std::int32_t deflect = -1;  // channel label id of a deflection

  // A field past the capacity is an engine bug: asserted where assertions
  // are compiled in, dropped (never written out of bounds) elsewhere.
  void add(std::uint8_t f, std::int64_t v) {
    CCMON_ASSERT(size < kCapacity);
    if (size < kCapacity) fields[static_cast<std::size_t>(size++)] = {f, v};
  }
  bool empty() const { return size == 0 && wait < 0 && deflect < 0; }
};

template <std::size_t N>
struct Bucket {
  static_assert(N <= 64, "touched is a 64-bit mask");
  // A bit per field that may be non-zero (a superset): merging into and out
  // of the totals and clearing walk only these. A short window's bucket of
  // one series mostly holds one or two events, a handful of its fields, and
  // those merges ran over all N for every bucket closing and leaving. First,
  // so that it shares a cache line with the first fields.
  std::uint64_t touched = 0;
  std::array<std::int64_t, N> v{};
  SparseCounts wait_bins;
  SparseCounts deflected;

  void add(std::uint8_t f, std::int64_t x) {
    v[f] += x;
    touched |= std::uint64_t{1} << f;
  }
  // After v was written whole (the state codec): the non-zero fields.
  void retouch() {
    touched = 0;
    for (std::size_t i = 0; i < N; ++i) {
      if (v[i] != 0) touched |= std::uint64_t{1} << i;
    }
  }
  void clear() {
    for (std::uint64_t m = touched; m != 0; m &= m - 1)
      v[static_cast<std::size_t>(std::countr_zero(m))] = 0;
    touched = 0;
    wait_bins.clear();  // keeps capacity: no allocation once warm
    deflected.clear();
  }
  void apply(const Delta& d) {
    for (int i = 0; i < d.size; ++i)
      add(d.fields[static_cast<std::size_t>(i)].field, d.fields[static_cast<std::size_t>(i)].value);
    if (d.wait >= 0) sparse_add(wait_bins, static_cast<std::uint16_t>(WaitBins::bin_of(d.wait)), 1);
    if (d.deflect >= 0) sparse_add(deflected, static_cast<std::uint16_t>(d.deflect), 1);
  }
  // Adds another bucket's contents, as if its deltas were applied here.
  void add_bucket(const Bucket& o) {
    for (std::uint64_t m = o.touched; m != 0; m &= m - 1) {
      const auto i = static_cast<std::size_t>(std::countr_zero(m));
      v[i] += o.v[i];
    }
    touched |= o.touched;
    for (const auto& [k, n] : o.wait_bins) sparse_add(wait_bins, k, n);
    for (const auto& [k, n] : o.deflected) sparse_add(deflected, k, n);
  }
};

// The deltas of one series (or team) timed in one bucket of the finest window's
// width, not yet added to the windows (WindowStore::record): they reach
// each window as one bucket, once per fine bucket rather than once per
// event. Exact, because a bucket of the finest width lies inside one bucket
// of every window whose width is a multiple of it, sums only add up, and
// the events older than it, which reach the windows first, change nothing
// by going first: a slot keeps the newest bucket written to it whatever the
// order, and expire() runs only after a flush (as for add_span).
template <std::size_t N>
struct StagedBucket {
  Bucket<N> b;
  std::int64_t k = kNoBucket;  // its bucket index at the staging width; none: empty
  std::int64_t wait_max = -1;
  bool listed = false;  // in its owner's list of buckets to flush
};

// Sums over many buckets: dense wait bins (allocated on first wait) and
// deflections by channel id.
template <std::size_t N>
struct Totals {
  std::array<std::int64_t, N> v{};
  std::vector<std::int64_t> wait_bins;
  std::vector<std::int64_t> deflected;

  void clear() {
    v.fill(0);
    wait_bins.clear();
    deflected.clear();
  }
  void add_bin(std::uint16_t b, std::int64_t n) {
    if (wait_bins.empty()) wait_bins.assign(WaitBins::kCount, 0);
    wait_bins[b] += n;
  }
  void add_deflect(std::uint16_t ch, std::int64_t n) {
    if (deflected.size() <= ch) deflected.resize(ch + 1u, 0);
    deflected[ch] += n;
  }
  void apply(const Delta& d) {
    for (int i = 0; i < d.size; ++i)
      v[d.fields[static_cast<std::size_t>(i)].field] += d.fields[static_cast<std::size_t>(i)].value;
    if (d.wait >= 0) add_bin(static_cast<std::uint16_t>(WaitBins::bin_of(d.wait)), 1);
    if (d.deflect >= 0) add_deflect(static_cast<std::uint16_t>(d.deflect), 1);
  }
  // sign = +1 adds the bucket, -1 removes it. Runs per staged bucket added
  // and per bucket leaving, over the bucket's touched fields only.
  void merge(const Bucket<N>& b, std::int64_t sign) {
    for (std::uint64_t m = b.touched; m != 0; m &= m - 1) {
      const int i = std::countr_zero(m);
      v[static_cast<std::size_t>(i)] += sign * b.v[static_cast<std::size_t>(i)];
    }
    if (!b.wait_bins.empty()) {
      if (wait_bins.empty()) wait_bins.assign(WaitBins::kCount, 0);
      for (const auto& [k, n] : b.wait_bins) wait_bins[k] += sign * n;
    }
    for (const auto& [k, n] : b.deflected) add_deflect(k, sign * n);
  }
};

// "today": one accumulator since the local day start.
template <std::size_t N>
struct DayTotals {
  Totals<N> totals;
  std::int64_t wait_max = -1;

  void clear() {
    totals.clear();
    wait_max = -1;
  }
  void apply(const Delta& d) {
    totals.apply(d);
    if (d.wait >= 0) wait_max = std::max(wait_max, d.wait);
  }
};

template <std::size_t N>
class Window {
 public:
  // Events up to `headroom` ahead of the last expiry still find a slot without
  // pushing out buckets of the current window (clock skew).
  Window(Duration length, Duration headroom)
      : width_(width_for(length)),
        slots_(static_cast<std::size_t>(
            kBucketsPerWindow + 1 +
            std::min<std::int64_t>(kBucketsPerWindow, (headroom + width_ - 1) / width_))) {}
  // Moved, never copied: a window holds its whole ring (tens of KiB).
  Window(Window&&) noexcept = default;
  Window& operator=(Window&&) noexcept = default;
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  Duration width() const { return width_; }
  // The bucket width of a window of `length`.
  static Duration width_for(Duration length) {
    return std::max<Duration>(1, length / kBucketsPerWindow);
  }
  static std::int64_t bucket_index(Timestamp t, Duration w) { return floor_div(t - 1, w); }

  void add(Timestamp t, const Delta& d) {
    // Events mostly arrive in time order: reuse the last bucket's index and
    // skip the two divisions.
    if (t > last_from_ && t <= last_from_ + width_) return add_at(last_k_, d);
    const std::int64_t k = bucket_index(t, width_);
    last_k_ = k;
    last_from_ = k * width_;
    add_at(k, d);
  }

  // Adds a staged bucket (of a width this one's is a multiple of) at its
  // end time `t`: as if each of its deltas had been added at its own time.
  void add_bucket(Timestamp t, const Bucket<N>& b, std::int64_t wait_max) {
    Slot* s = slot_for(bucket_index(t, width_));
    if (s == nullptr) return;
    s->b.add_bucket(b);
    if (wait_max > s->wait_max) s->wait_max = wait_max;
    if (s->counted) {
      totals_.merge(b, +1);  // b is the caller's, read just now: still in cache
      if (wait_max > max_) max_ = wait_max;
    }
  }

  // Adds a duration [a, b) of `field`, split over the buckets it covers;
  // sign -1 takes it back (a late state change re-splits an interval). Only
  // the span's ends are noted here, O(1): the buckets get their shares at
  // flush_spans(), which the engine calls before anything reads the window
  // or the state codec could see it (so buckets always look as if every
  // span had been split at once). Deferring is exact: shares only add up, a
  // slot keeps the newest bucket written to it whatever the order, and
  // expire() (which moves lo_) runs only after a flush. Returns whether the
  // window had no span pending before (its owner lists it for the flush).
  bool add_span(Timestamp a, Timestamp b, std::uint8_t field, std::int64_t sign = 1) {
    if (b <= a) return false;
    const std::int64_t last = floor_div(b - 1, width_);
    std::int64_t k =
        std::max(floor_div(a, width_), last - static_cast<std::int64_t>(slots_.size()) + 1);
    if (lo_ != kNoBucket) k = std::max(k, lo_);
    if (k > last) return false;
    const bool first = pending_.empty();
    pending_.push_back(PendingSpan{a, b, k, last, sign, field});
    return first;
  }

  bool spans_pending() const { return !pending_.empty(); }

  // Gives the buckets their shares of the pending spans: a difference array
  // over the buckets they cover (per field, +1 where a span's full buckets
  // start, -1 where they stop, plus its two partial ends), summed in one
  // sweep, so k spans over the same B buckets cost O(k + B), not O(k * B).
  // Every bucket a span covers is written (even when the shares cancel),
  // exactly as splitting each span at once would have.
  void flush_spans() {
    if (pending_.empty()) return;
    std::int64_t lo = pending_.front().k0, hi = pending_.front().k1;
    for (const PendingSpan& p : pending_) {
      lo = std::min(lo, p.k0);
      hi = std::max(hi, p.k1);
    }
    const std::int64_t max_len = 4 * static_cast<std::int64_t>(slots_.size());
    if (hi - lo + 1 > max_len) {
      // Spans far apart in time (late events, or many batches' spans): one
      // sweep per run of overlapping spans, so no bucket between runs is
      // walked, and a run ends at 4 rings, which bounds spread()'s scratch
      // (a span holds at most one ring). Shares add up, so the order and
      // grouping of the writes are immaterial.
      std::sort(pending_.begin(), pending_.end(),
                [](const PendingSpan& x, const PendingSpan& y) { return x.k0 < y.k0; });
      for (std::size_t i = 0; i < pending_.size();) {
        const std::int64_t run_lo = pending_[i].k0;
        std::int64_t run_hi = pending_[i].k1;
        std::size_t j = i + 1;
        while (j < pending_.size() && pending_[j].k0 <= run_hi + 1 &&
               std::max(run_hi, pending_[j].k1) - run_lo < max_len) {
          run_hi = std::max(run_hi, pending_[j].k1);
          ++j;
        }
        spread({pending_.data() + i, j - i}, run_lo, run_hi);
        i = j;
      }
    } else {
      spread(pending_, lo, hi);
    }
    pending_.clear();
    // Keeps the capacity of a usual flush, not of a rare burst.
    if (pending_.capacity() > kKeptPendingCapacity) {
      std::vector<PendingSpan>().swap(pending_);
      pending_.reserve(kKeptPendingCapacity);
    }
  }

  // Drops buckets that left the window at `now` from the running totals.
  void expire(Timestamp now) {
    const std::int64_t lo = bucket_index(now, width_) - (kBucketsPerWindow - 1);
    if (lo == lo_) return;
    const auto n = static_cast<std::int64_t>(slots_.size());
    if (lo_ != kNoBucket && lo > lo_ && lo - lo_ < n) {
      for (std::int64_t k = lo_; k < lo; ++k) {  // only the slots that left
        Slot& s = slots_[ring(k)];
        if (s.k == k && s.counted) drop(s);
      }
    } else if (lo_ != kNoBucket && lo > lo_) {
      for (Slot& s : slots_) {
        if (s.k != kNoBucket && s.k < lo && s.counted) drop(s);
      }
    } else {  // first expiry or time went back: rebuild
      max_valid_ = false;
      totals_.clear();
      for (Slot& s : slots_) {
        s.counted = s.k != kNoBucket && s.k >= lo;
        if (s.counted) totals_.merge(s.b, +1);
      }
    }
    lo_ = lo;
  }

  // Exclusive start of the window as of the last expire().
  Timestamp start() const { return lo_ == kNoBucket ? kNoBucket : lo_ * width_; }

  // What a snapshot reads: the sums over the buckets inside the window.
  const Totals<N>& totals() const { return totals_; }

  // Largest wait in the window. Kept up to date on insert; rescanned only
  // after the bucket holding the maximum left.
  std::int64_t wait_max() {
    if (!max_valid_) {
      max_ = -1;
      for (const Slot& s : slots_) {
        if (s.counted) max_ = std::max(max_, s.wait_max);
      }
      max_valid_ = true;
    }
    return max_;
  }

 private:
  friend struct persist::Access;

  // A bucket's contents are in totals_ ("counted") while it is inside the
  // window, from its first write: every add goes to its bucket and, counted,
  // to the totals, while the caller's delta or staged bucket is in the
  // cache; only a bucket leaving the window is read back. (The totals once
  // took the newest bucket whole when the next one opened, by then mostly
  // out of the cache: docs/kpis.md, "Every bucket in the totals from its
  // first write".)
  //
  // The bucket lies in its slot, one cache line holding the slot's bucket
  // index (k) and the bucket's first fields: a delta reaching the window directly
  // costs one miss, not two, and no bucket is allocated as the ring fills
  // (docs/kpis.md, "Buckets inside their ring slots"; the ring's memory is
  // taken whole up front).
  struct alignas(64) Slot {
    std::int64_t k = kNoBucket;
    std::int64_t wait_max = -1;  // here, not in the bucket: max() scans slots only
    bool counted = false;        // contents included in totals_
    Bucket<N> b;
  };

  // A span noted by add_span: [a, b) over buckets k0..k1 (k0 clamped to
  // the ring and the window as add_span found them).
  struct PendingSpan {
    Timestamp a, b;
    std::int64_t k0, k1, sign;
    std::uint8_t field;
  };

  // Writes the shares of `spans`, all within buckets lo..hi.
  void spread(std::span<const PendingSpan> spans, std::int64_t lo, std::int64_t hi) {
    static_assert(N <= Delta::kCapacity, "a bucket's span shares must fit one Delta");
    const auto len = static_cast<std::size_t>(hi - lo + 1);
    // Only the fields the spans use get a column (agent time: 3 of 6).
    std::array<std::int8_t, N> col;
    col.fill(-1);
    std::array<std::uint8_t, N> field_of{};
    std::size_t nf = 0;
    for (const PendingSpan& p : spans) {
      if (col[p.field] < 0) {
        col[p.field] = static_cast<std::int8_t>(nf);
        field_of[nf++] = p.field;
      }
    }
    // Per bucket and column: the partial shares, and the difference arrays
    // of the full-bucket count and of the coverage (which buckets to write).
    std::vector<std::int64_t>& part = scratch_part();
    std::vector<std::int64_t>& ramp = scratch_ramp();
    std::vector<std::int32_t>& cover = scratch_cover();
    part.assign(len * nf, 0);
    ramp.assign((len + 1) * nf, 0);
    cover.assign(len + 1, 0);
    for (const PendingSpan& p : spans) {
      const auto i0 = static_cast<std::size_t>(p.k0 - lo), i1 = static_cast<std::size_t>(p.k1 - lo);
      const auto c = static_cast<std::size_t>(col[p.field]);
      ++cover[i0];
      --cover[i1 + 1];
      const Timestamp from0 = std::max(p.a, p.k0 * width_);
      if (i0 == i1) {
        part[i0 * nf + c] += p.sign * (p.b - from0);
        continue;
      }
      part[i0 * nf + c] += p.sign * ((p.k0 + 1) * width_ - from0);
      part[i1 * nf + c] += p.sign * (p.b - std::max(p.a, p.k1 * width_));
      ramp[(i0 + 1) * nf + c] += p.sign;  // buckets i0+1 .. i1-1 get a full width
      ramp[i1 * nf + c] -= p.sign;
    }
    std::array<std::int64_t, N> full{};
    std::int32_t covered = 0;
    for (std::size_t i = 0; i < len; ++i) {
      covered += cover[i];
      // Outside every span the ramps are zero too: nothing to add or write.
      if (covered == 0) continue;
      Delta d;
      for (std::size_t c = 0; c < nf; ++c) {
        full[c] += ramp[i * nf + c];
        const std::int64_t v = part[i * nf + c] + full[c] * width_;
        if (v != 0) d.add(field_of[c], v);
      }
      const std::int64_t k = lo + static_cast<std::int64_t>(i);
      Slot& s = slots_[ring(k)];
      if (s.k == k) {  // the bucket exists: its values and, if counted, the totals
        for (int j = 0; j < d.size; ++j) {
          const auto& [f, v] = d.fields[static_cast<std::size_t>(j)];
          s.b.add(f, v);
          if (s.counted) totals_.v[f] += v;
        }
      } else {
        add_at(k, d);  // opens or reuses the slot as any event would
      }
    }
  }

  // One scratch per thread and width, shared by all windows: a flush runs on
  // the engine's thread and keeps nothing in them.
  static std::vector<std::int64_t>& scratch_part() {
    thread_local std::vector<std::int64_t> v;
    return v;
  }
  static std::vector<std::int64_t>& scratch_ramp() {
    thread_local std::vector<std::int64_t> v;
    return v;
  }
  static std::vector<std::int32_t>& scratch_cover() {
    thread_local std::vector<std::int32_t> v;
    return v;
  }

  std::size_t ring(std::int64_t k) const {
    const auto n = static_cast<std::int64_t>(slots_.size());
    return static_cast<std::size_t>(((k % n) + n) % n);
  }
  bool in_window(std::int64_t k) const { return lo_ == kNoBucket || k >= lo_; }

  void add_at(std::int64_t k, const Delta& d) {
    Slot* const sp = slot_for(k);
    if (sp == nullptr) return;
    Slot& s = *sp;
    s.b.apply(d);
    if (d.wait > s.wait_max) s.wait_max = d.wait;
    if (s.counted) {
      totals_.apply(d);
      if (d.wait > max_) max_ = d.wait;
    }
  }

  // The slot of bucket k, opened (or reused) for it; null when k is older
  // than the ring holds.
  Slot* slot_for(std::int64_t k) {
    if (k != slot_k_) {
      slot_k_ = k;
      slot_index_ = ring(k);
    }
    Slot& s = slots_[slot_index_];
    if (s.k != k) {
      if (s.k != kNoBucket && s.k > k) return nullptr;  // older than the ring holds
      if (k > open_k_) open_k_ = k;
      if (s.k != kNoBucket) {
        if (s.counted) drop(s);
        s.b.clear();
      }
      s.k = k;
      s.wait_max = -1;
      s.counted = in_window(k);
    }
    return &s;
  }

  // Removes a bucket from the totals.
  void drop(Slot& s) {
    totals_.merge(s.b, -1);
    if (s.wait_max >= 0 && s.wait_max >= max_) max_valid_ = false;
    s.counted = false;
  }

  Duration width_;
  std::int64_t last_k_ = kNoBucket;  // bucket of the last add(t), starting at
  Timestamp last_from_ = kNoBucket;  // last_from_ (exclusive)
  std::int64_t slot_k_ = kNoBucket;  // cached ring position of bucket slot_k_
  std::size_t slot_index_ = 0;
  std::int64_t open_k_ = kNoBucket;  // the newest bucket written (in the state image)
  std::vector<Slot> slots_;
  std::int64_t lo_ = kNoBucket;  // totals hold the counted slots, all with k >= lo_
  Totals<N> totals_;
  std::int64_t max_ = -1;  // over counted slots
  bool max_valid_ = true;
  std::vector<PendingSpan> pending_;  // add_span since the last flush_spans()
  static constexpr std::size_t kKeptPendingCapacity = 1024;
};

}  // namespace ccmon::core::engine_detail
