// The state image (docs/state-format.md): an 8-byte magic, the format version
// (u32, little-endian), then a cereal PortableBinary archive (little-endian)
// holding one versioned part after another, then `extra`. Every count is a
// u32 checked against the bytes that remain before anything is allocated;
// every index, enum and order the engine relies on is checked on reading.
// Indexes derived from the records (hash tables, waiting queues, open-case
// counts, the duplicate-id table, snapshot order) are rebuilt, never read.
#include "core/persist/state_codec.hpp"

#include <algorithm>
#include <array>
#include <cereal/archives/portable_binary.hpp>
#include <cereal/cereal.hpp>
#include <cstring>
#include <functional>
#include <istream>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <streambuf>
#include <utility>
#include <vector>

#include "core/engine/engine_state.hpp"

namespace ccmon::core::persist {

using engine_detail::AgentTransition;
using engine_detail::Bucket;
using engine_detail::DayTotals;
using engine_detail::kNil;
using engine_detail::kNoBucket;
using engine_detail::kNoLabel;
using engine_detail::LabelId;
using engine_detail::LruTable;
using engine_detail::SparseCounts;
using engine_detail::Totals;
using engine_detail::Window;
using engine_detail::WindowStore;
using In = cereal::PortableBinaryInputArchive;
using Out = cereal::PortableBinaryOutputArchive;

namespace {

constexpr char kMagic[8] = {'C', 'C', 'M', 'O', 'N', 'S', 'T', 'A'};
constexpr std::size_t kHeaderBytes = sizeof kMagic + 4;
// Largest window length read back: a year covers any sensible window and
// keeps the bucket arithmetic (k * width, headroom / width) far from overflow.
constexpr Duration kMaxWindowLength = hours(24 * 366);
// Times, durations and sums read back lie within +-2^61 us (Reader::time).
constexpr std::int64_t kTimeLimit = std::int64_t{1} << 61;
// Bucket indices whose start k * width stays within +-2^62 us.
constexpr std::int64_t kBucketTimeLimit = std::int64_t{1} << 62;

// Hands what the archive writes to a sink in blocks. The archive writes
// value by value (a few bytes each, tens of millions per image), so the
// bytes gather in a 64 KiB staging area: a std::string::append and a libc
// memcpy call per value were 75 % of the encoding's instructions.
class StagedBuf final : public std::streambuf {
 public:
  explicit StagedBuf(const ImageSink& sink) : sink_(sink) {
    setp(stage_.data(), stage_.data() + kStage);
  }

  // Hands over what is staged; call once the archive is done.
  void finish() { drain(); }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    const auto size = static_cast<std::size_t>(n);
    if (n > epptr() - pptr()) {
      drain();
      if (size >= kStage) {
        sink_({s, size});
        return n;
      }
    }
    char* p = pptr();
    // Fixed sizes copy inline; the archive's scalars are all one of these.
    switch (size) {
      case 1:
        *p = *s;
        break;
      case 2:
        std::memcpy(p, s, 2);
        break;
      case 4:
        std::memcpy(p, s, 4);
        break;
      case 8:
        std::memcpy(p, s, 8);
        break;
      default:
        std::memcpy(p, s, size);
    }
    pbump(static_cast<int>(n));  // n < kStage here
    return n;
  }
  int_type overflow(int_type c) override {
    drain();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

 private:
  static constexpr std::size_t kStage = std::size_t{1} << 16;

  void drain() {
    if (pptr() > pbase()) sink_({pbase(), static_cast<std::size_t>(pptr() - pbase())});
    setp(stage_.data(), stage_.data() + kStage);
  }

  const ImageSink& sink_;
  std::array<char, kStage> stage_;
};

// Reads the input in place and tells how much of it remains.
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view v) {
    char* p = const_cast<char*>(v.data());  // the get area is never written
    setg(p, p, p + v.size());
  }
  std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

// Where reading is, for error messages and length checks.
struct Context {
  const ViewBuf* buf = nullptr;
  const char* part = "header";
};

[[noreturn]] void fail(const Context& ctx, std::string_view what) {
  std::string msg("state image: ");
  msg.append(ctx.part).append(": ").append(what);
  throw FormatError(msg);
}

std::string num(std::uint64_t n) {
  return std::to_string(n);
}

struct Writer {
  Out& ar;

  template <typename T>
  void put(T v) {
    ar(v);
  }
  void flag(bool b) { ar(static_cast<std::uint8_t>(b ? 1 : 0)); }
  void count(std::size_t n) { ar(static_cast<std::uint32_t>(n)); }
  void str(std::string_view s) {
    count(s.size());
    if (!s.empty()) ar(cereal::binary_data(s.data(), s.size()));
  }
  template <typename T>
  void array(const T* p, std::size_t n) {
    if (n > 0) ar(cereal::binary_data(p, n * sizeof(T)));
  }
  void opt(const std::optional<double>& v) {
    flag(v.has_value());
    if (v) put(*v);
  }
};

struct Reader {
  In& ar;
  Context& ctx;

  template <typename T>
  T get() {
    T v{};
    ar(v);
    return v;
  }
  bool flag() {
    const auto b = get<std::uint8_t>();
    if (b > 1) fail(ctx, "a flag byte is " + num(b) + ", not 0 or 1");
    return b == 1;
  }
  // A count of items of at least `item_bytes` each, checked against the
  // bytes that remain, so no length field makes us allocate beyond the input.
  std::size_t count(std::size_t item_bytes, std::string_view what) {
    const std::size_t n = get<std::uint32_t>();
    if (n > ctx.buf->remaining() / std::max<std::size_t>(1, item_bytes)) {
      std::string msg("a count of ");
      msg.append(num(n)).append(" ").append(what).append(" exceeds the ");
      msg.append(num(ctx.buf->remaining())).append(" bytes left");
      fail(ctx, msg);
    }
    return n;
  }
  std::string str(std::string_view what) {
    std::string s(count(1, what), '\0');
    if (!s.empty()) ar(cereal::binary_data(s.data(), s.size()));
    return s;
  }
  template <typename T>
  void array(T* p, std::size_t n) {
    if (n > ctx.buf->remaining() / sizeof(T)) fail(ctx, "truncated");
    if (n > 0) ar(cereal::binary_data(p, n * sizeof(T)));
  }
  // A time, duration or sum: within +-2^61 us (73,000 years), so that the
  // engine's differences and sums of them cannot overflow.
  std::int64_t time() {
    const auto v = get<std::int64_t>();
    if (v < -kTimeLimit || v > kTimeLimit) fail(ctx, "a time or sum is out of range");
    return v;
  }
  // The same, or kNever ("not yet").
  Timestamp time_or_never() {
    const auto v = get<std::int64_t>();
    if (v != engine_detail::kNever && (v < -kTimeLimit || v > kTimeLimit)) {
      fail(ctx, "a time is out of range");
    }
    return v;
  }
  void times(std::int64_t* p, std::size_t n) {
    array(p, n);
    in_range(p, n);
  }
  // Values made while loading (sums of values read) obey the same bound, so
  // that what is loaded is read back when written again.
  void in_range(const std::int64_t* p, std::size_t n) {
    if (std::any_of(p, p + n, [](std::int64_t v) { return v < -kTimeLimit || v > kTimeLimit; })) {
      fail(ctx, "a time or sum is out of range");
    }
  }
  std::optional<double> opt() {
    if (!flag()) return std::nullopt;
    return get<double>();
  }
  // An enum stored as its underlying u8, refused past `last`.
  template <typename E>
  E enumerator(E last, std::string_view what) {
    const auto v = get<std::uint8_t>();
    if (v > static_cast<std::uint8_t>(last)) {
      std::string msg(what);
      msg.append(" ").append(num(v)).append(" is out of range");
      fail(ctx, msg);
    }
    return static_cast<E>(v);
  }
  void check(bool ok, std::string_view what) {
    if (!ok) fail(ctx, what);
  }
};

// std::priority_queue keeps its container protected: reach it through a
// derived class, the standard's own way for adaptors.
template <typename Q>
typename Q::container_type& container_of(Q& q) {
  struct Open : Q {
    static typename Q::container_type& get(Q& q) { return q.*&Open::c; }
  };
  return Open::get(q);
}

}  // namespace

// The one friend of the engine's parts (core/engine/persist_access.hpp).
struct Access {
  using State = engine_detail::EngineState;

  // --- Configuration in force ------------------------------------------

  static void save_config(Writer& w, const EngineConfig& c) {
    w.count(c.windows.size());
    for (const auto& win : c.windows) {
      w.str(win.name);
      w.put(win.length);
    }
    w.flag(c.today_window);
    w.str(c.time_zone.name);
    w.put(c.time_zone.initial_offset_s);
    w.count(c.time_zone.transitions.size());
    for (const auto& t : c.time_zone.transitions) {
      w.put(t.at);
      w.put(t.utc_offset_s);
    }
    w.put(static_cast<std::int32_t>(c.day_start_hour));
    // Part version 2: the formula's switches (version 1: a preset's number).
    const ServiceLevelFormula& f = c.service_level_formula;
    for (bool b : {f.include_abandoned, f.include_short_abandoned, f.include_overflowed,
                   f.abandoned_within_met}) {
      w.flag(b);
    }
    w.put(c.service_level_threshold_s);
    w.put(c.short_abandon_threshold_s);
    w.count(c.service_level_overrides.size());
    for (const auto& o : c.service_level_overrides) {
      w.str(o.queue);
      w.str(o.channel);
      w.opt(o.threshold_s);
      w.opt(o.short_abandon_s);
    }
    w.count(c.extra_wait_buckets_s.size());
    w.array(c.extra_wait_buckets_s.data(), c.extra_wait_buckets_s.size());
    w.put(c.negative_sentiment_threshold);
    w.put(c.acw_timeout);
    w.put(c.contact_idle_timeout);
    w.put(c.case_idle_timeout);
    w.put(static_cast<std::uint64_t>(c.max_tracked_contacts));
    w.put(static_cast<std::uint64_t>(c.max_tracked_cases));
    w.put(static_cast<std::uint64_t>(c.max_tracked_agents));
    const CardinalityLimits& l = c.limits;
    w.count(l.queues.size());
    for (const auto& q : l.queues) w.str(q);
    w.put(static_cast<std::uint64_t>(l.max_queues));
    w.count(l.teams.size());
    for (const auto& t : l.teams) w.str(t);
    w.put(static_cast<std::uint64_t>(l.max_teams));
    w.put(static_cast<std::uint64_t>(l.max_channels));
    w.flag(l.per_agent_series);
    // Part version 2: unordered delivery.
    w.put(c.lateness);
    w.put(static_cast<std::uint64_t>(c.max_held_events));
  }

  static std::size_t size_value(Reader& r) {
    const auto v = r.get<std::uint64_t>();
    r.check(v <= std::numeric_limits<std::size_t>::max(), "a size does not fit this machine");
    return static_cast<std::size_t>(v);
  }

  static EngineConfig load_config(Reader& r, std::uint32_t version) {
    EngineConfig c;
    c.windows.resize(r.count(12, "windows"));
    for (auto& win : c.windows) {
      win.name = r.str("window name bytes");
      win.length = r.get<Duration>();
      r.check(win.length > 0 && win.length <= kMaxWindowLength,
              "a window length is not within (0, 366 days]");
    }
    c.today_window = r.flag();
    c.time_zone.name = r.str("time zone name bytes");
    c.time_zone.initial_offset_s = r.get<std::int32_t>();
    c.time_zone.transitions.resize(r.count(12, "time zone transitions"));
    for (auto& t : c.time_zone.transitions) {
      t.at = r.time();
      t.utc_offset_s = r.get<std::int32_t>();
    }
    // The offsets RFC 8536 allows; the search of local_day_start relies on them.
    auto offset_ok = [](std::int32_t s) { return s >= -89999 && s <= 93599; };
    r.check(offset_ok(c.time_zone.initial_offset_s) &&
                std::all_of(c.time_zone.transitions.begin(), c.time_zone.transitions.end(),
                            [&](const TimeZoneTransition& t) { return offset_ok(t.utc_offset_s); }),
            "a time zone offset is outside -89999..93599 s");
    r.check(std::is_sorted(c.time_zone.transitions.begin(), c.time_zone.transitions.end(),
                           [](const auto& a, const auto& b) { return a.at < b.at; }),
            "time zone transitions are not sorted");
    c.day_start_hour = r.get<std::int32_t>();
    r.check(c.day_start_hour >= 0 && c.day_start_hour <= 23, "day_start_hour is not within 0..23");
    if (version == 1) {
      // The four formulas of version 1 are today's presets, in this order.
      static constexpr ServiceLevelFormula kPresets[] = {
          ServiceLevelFormula::kDefault, ServiceLevelFormula::kAnsweredOnly,
          ServiceLevelFormula::kAll, ServiceLevelFormula::kRemovedWithin};
      const auto n = r.get<std::uint8_t>();
      r.check(n < std::size(kPresets), "service level formula " + num(n) + " is out of range");
      c.service_level_formula = kPresets[n];
    } else {
      ServiceLevelFormula& f = c.service_level_formula;
      f.include_abandoned = r.flag();
      f.include_short_abandoned = r.flag();
      f.include_overflowed = r.flag();
      f.abandoned_within_met = r.flag();
    }
    c.service_level_threshold_s = r.get<double>();
    c.short_abandon_threshold_s = r.get<double>();
    c.service_level_overrides.resize(r.count(10, "service level overrides"));
    for (auto& o : c.service_level_overrides) {
      o.queue = r.str("override queue bytes");
      o.channel = r.str("override channel bytes");
      o.threshold_s = r.opt();
      o.short_abandon_s = r.opt();
    }
    c.extra_wait_buckets_s.resize(r.count(8, "extra wait buckets"));
    r.array(c.extra_wait_buckets_s.data(), c.extra_wait_buckets_s.size());
    c.negative_sentiment_threshold = r.get<double>();
    c.acw_timeout = r.time();
    c.contact_idle_timeout = r.time();
    c.case_idle_timeout = r.time();
    c.max_tracked_contacts = size_value(r);
    c.max_tracked_cases = size_value(r);
    c.max_tracked_agents = size_value(r);
    CardinalityLimits& l = c.limits;
    l.queues.resize(r.count(4, "allowed queues"));
    for (auto& q : l.queues) q = r.str("allowed queue bytes");
    l.max_queues = size_value(r);
    l.teams.resize(r.count(4, "allowed teams"));
    for (auto& t : l.teams) t = r.str("allowed team bytes");
    l.max_teams = size_value(r);
    l.max_channels = size_value(r);
    l.per_agent_series = r.flag();
    if (version >= 2) {
      c.lateness = r.time();
      r.check(c.lateness >= 0, "the lateness is negative");
      c.max_held_events = size_value(r);
    }
    return c;
  }

  // --- Labels: ids are positions; "other" and "unknown" come first ------

  static void save_labels(Writer& w, const engine_detail::Labels& l) {
    for (const auto* set : {&l.queues, &l.channels, &l.teams}) {
      w.count(set->names_.size());
      for (const auto& n : set->names_) w.str(n);
    }
  }

  static void load_labels(Reader& r, engine_detail::Labels& l) {
    for (auto* set : {&l.queues, &l.channels, &l.teams}) {
      const std::size_t n = r.count(4, "label values");
      r.check(n >= 2 && n <= 65535, "a label set does not hold 2..65535 values");
      r.check(r.str("label bytes") == "other" && r.str("label bytes") == "unknown",
              "a label set does not start with \"other\", \"unknown\"");
      for (std::size_t i = 2; i < n; ++i) {
        std::string name = r.str("label bytes");
        r.check(!name.empty(), "a label value is empty");
        r.check(set->ids_.find(name) == set->ids_.end(), "a label value appears twice");
        set->intern(std::move(name));
      }
    }
  }

  // --- Windows ----------------------------------------------------------

  static void save_sparse(Writer& w, const SparseCounts& c) {
    w.count(c.size());
    for (const auto& [k, n] : c) {
      w.put(k);
      w.put(n);
    }
  }

  static void load_sparse(Reader& r, SparseCounts& c, std::size_t key_limit, const char* what) {
    c.resize(r.count(6, what));
    for (std::size_t i = 0; i < c.size(); ++i) {
      c[i].first = r.get<std::uint16_t>();
      c[i].second = r.get<std::uint32_t>();
      r.check(c[i].first < key_limit && (i == 0 || c[i - 1].first < c[i].first),
              std::string(what) + ": keys out of range or not ascending");
    }
  }

  template <std::size_t N>
  static void save_totals(Writer& w, const Totals<N>& t) {
    w.array(t.v.data(), N);
    // The dense wait bins (allocated on the first wait) are mostly zero:
    // written as their non-zero (bin, count) entries.
    w.flag(!t.wait_bins.empty());
    if (!t.wait_bins.empty()) {
      const auto nonzero = std::count_if(t.wait_bins.begin(), t.wait_bins.end(),
                                         [](std::int64_t n) { return n != 0; });
      w.count(static_cast<std::size_t>(nonzero));
      for (std::size_t b = 0; b < t.wait_bins.size(); ++b) {
        if (t.wait_bins[b] == 0) continue;
        w.put(static_cast<std::uint16_t>(b));
        w.put(t.wait_bins[b]);
      }
    }
    w.count(t.deflected.size());
    w.array(t.deflected.data(), t.deflected.size());
  }

  template <std::size_t N>
  static void load_totals(Reader& r, Totals<N>& t, std::size_t channels) {
    r.times(t.v.data(), N);
    if (r.flag()) {
      t.wait_bins.assign(engine_detail::WaitBins::kCount, 0);
      const std::size_t n = r.count(10, "wait bins");
      int last = -1;
      for (std::size_t i = 0; i < n; ++i) {
        const auto b = r.get<std::uint16_t>();
        const std::int64_t count = r.time();
        r.check(b < t.wait_bins.size() && static_cast<int>(b) > last && count != 0,
                "wait bins out of range, not ascending or zero");
        t.wait_bins[b] = count;
        last = b;
      }
    }
    t.deflected.resize(r.count(8, "deflection counts"));
    r.check(t.deflected.size() <= channels, "deflection counts name unknown channels");
    r.times(t.deflected.data(), t.deflected.size());
  }

  template <std::size_t N>
  static void save_window(Writer& w, const Window<N>& win) {
    w.put(win.open_k_);
    w.put(win.lo_);
    w.put(win.max_);
    w.flag(win.max_valid_);
    save_totals(w, win.totals_);
    w.count(win.slots_.size());
    for (const auto& s : win.slots_) {
      w.put(s.k);
      if (s.k == kNoBucket) continue;  // never used: its bucket is empty
      w.put(s.wait_max);
      w.flag(s.counted);
      w.array(s.b.v.data(), N);
      save_sparse(w, s.b.wait_bins);
      save_sparse(w, s.b.deflected);
    }
  }

  // The window exists already, built for its configured length; the read
  // cursor caches (last_k_, slot_k_) stay at their fresh values.
  template <std::size_t N>
  static void load_window(Reader& r, Window<N>& win, std::size_t channels, std::uint32_t version) {
    const std::int64_t limit = kBucketTimeLimit / win.width_;
    auto bucket_ok = [&](std::int64_t k) { return k == kNoBucket || (k >= -limit && k <= limit); };
    win.open_k_ = r.get<std::int64_t>();
    win.lo_ = r.get<std::int64_t>();
    r.check(bucket_ok(win.open_k_) && bucket_ok(win.lo_),
            "a window's bucket index is out of range");
    win.max_ = r.time();
    win.max_valid_ = r.flag();
    load_totals(r, win.totals_, channels);
    const std::size_t n = r.count(8, "window slots");
    if (n != win.slots_.size()) {
      fail(r.ctx,
           "a window has " + num(n) + " slots where its length gives " + num(win.slots_.size()));
    }
    for (std::size_t i = 0; i < n; ++i) {
      auto& s = win.slots_[i];
      s.k = r.get<std::int64_t>();
      if (s.k == kNoBucket) continue;
      r.check(bucket_ok(s.k) && win.ring(s.k) == i, "a bucket is out of range or in a wrong slot");
      s.wait_max = r.time();
      s.counted = r.flag();
      r.times(s.b.v.data(), N);
      s.b.retouch();
      load_sparse(r, s.b.wait_bins, engine_detail::WaitBins::kCount, "bucket wait bins");
      load_sparse(r, s.b.deflected, channels, "bucket deflections");
    }
    // Before engine part version 3 the totals left out the newest bucket
    // until a newer one opened; now they hold every bucket inside the window.
    if (version < 3 && win.open_k_ != kNoBucket && win.in_window(win.open_k_)) {
      auto& s = win.slots_[win.ring(win.open_k_)];
      if (s.k == win.open_k_ && !s.counted) {
        win.totals_.merge(s.b, +1);
        // Two values in range can sum out of it (found by fuzz_state_codec).
        auto& t = win.totals_;
        r.in_range(t.v.data(), N);
        r.in_range(t.wait_bins.data(), t.wait_bins.size());
        r.in_range(t.deflected.data(), t.deflected.size());
        if (s.wait_max > win.max_) win.max_ = s.wait_max;
        s.counted = true;
      }
    }
  }

  template <std::size_t N>
  static void save_day(Writer& w, const DayTotals<N>& d) {
    save_totals(w, d.totals);
    w.put(d.wait_max);
  }

  template <std::size_t N>
  static void load_day(Reader& r, DayTotals<N>& d, std::size_t channels) {
    load_totals(r, d.totals, channels);
    d.wait_max = r.time();
  }

  static void save_histogram(Writer& w, const engine_detail::SinceStartHistogram& h) {
    w.count(h.counts.size());
    w.array(h.counts.data(), h.counts.size());
    w.put(h.count);
    w.put(h.sum);
  }

  static void load_histogram(Reader& r, engine_detail::SinceStartHistogram& h, std::size_t bounds) {
    const std::size_t n = r.count(8, "histogram buckets");
    r.check(n == bounds + 1, "a wait histogram does not match the configured bounds");
    h.counts.resize(n);
    r.array(h.counts.data(), n);
    h.count = r.get<std::uint64_t>();
    h.sum = r.time();
  }

  // --- The window store: series and teams in index order ----------------

  static void save_store(Writer& w, const WindowStore& st) {
    w.put(st.day_start_);
    w.put(st.next_day_start_);
    w.count(st.series_.size());
    for (const auto& s : st.series_) {
      w.put(s->queue);
      w.put(s->channel);
      w.put(s->offered_total);
      w.put(s->answered_total);
      w.put(s->abandoned_total);
      w.put(s->handled_total);
      w.put(s->short_abandoned_total);  // engine part version 2
      w.put(s->overflowed_total);
      save_histogram(w, s->wait_answered);
      save_histogram(w, s->wait_abandoned);
      w.count(s->windows.size());
      for (const auto& win : s->windows) save_window(w, win);
      save_day(w, s->today);
    }
    w.count(st.teams_.size());
    for (const auto& t : st.teams_) {
      w.put(t->label);
      w.count(t->windows.size());
      for (const auto& win : t->windows) save_window(w, win);
      save_day(w, t->today);
    }
  }

  // Series and teams are created through series_for / team_for, in index
  // order, so that their windows, thresholds and indexes come from the
  // configuration exactly as for a series created by an event.
  static void load_store(Reader& r, WindowStore& st, std::uint32_t version) {
    const auto& labels = st.labels_;
    const std::size_t channels = labels.channels.size();
    st.day_start_ = r.time_or_never();
    st.next_day_start_ = r.time_or_never();
    const std::size_t series = r.count(64, "series");
    for (std::size_t i = 0; i < series; ++i) {
      const auto q = r.get<LabelId>();
      const auto ch = r.get<LabelId>();
      r.check(q < labels.queues.size() && ch < labels.channels.size(),
              "a series names an unknown queue or channel");
      r.check(st.series_for(q, ch) == i, "a series appears twice");
      engine_detail::Series& s = st.series(static_cast<std::uint32_t>(i));
      s.offered_total = r.get<std::uint64_t>();
      s.answered_total = r.get<std::uint64_t>();
      s.abandoned_total = r.get<std::uint64_t>();
      s.handled_total = r.get<std::uint64_t>();
      if (version >= 2) {
        s.short_abandoned_total = r.get<std::uint64_t>();
        s.overflowed_total = r.get<std::uint64_t>();
      }
      load_histogram(r, s.wait_answered, st.bounds_s_.size());
      load_histogram(r, s.wait_abandoned, st.bounds_s_.size());
      r.check(r.count(32, "windows") == s.windows.size(),
              "a series does not hold one window per configured length");
      for (auto& win : s.windows) load_window(r, win, channels, version);
      load_day(r, s.today, channels);
    }
    const std::size_t teams = r.count(16, "teams");
    for (std::size_t i = 0; i < teams; ++i) {
      const auto label = r.get<LabelId>();
      r.check(label < labels.teams.size(), "a team names an unknown label");
      r.check(st.team_for(label) == i, "a team appears twice");
      engine_detail::Team& t = st.team(static_cast<std::uint32_t>(i));
      r.check(r.count(32, "windows") == t.windows.size(),
              "a team does not hold one window per configured length");
      for (auto& win : t.windows) load_window(r, win, channels, version);
      load_day(r, t.today, channels);
    }
  }

  // --- Keyed records: slots, LRU order and free list --------------------

  template <typename V, typename F>
  static void save_table(Writer& w, const LruTable<V>& t, F&& save_value) {
    w.count(t.entries_.size());
    for (const auto& e : t.entries_) {
      w.flag(e.used);
      w.put(e.gen);
      if (!e.used) continue;
      w.str(e.key.view());
      save_value(w, e.value);
    }
    t.for_each([&](std::uint32_t s, const V&) { w.put(s); });  // least recent first
    w.count(t.free_.size());
    for (std::uint32_t s : t.free_) w.put(s);
  }

  // Slots keep their numbers and generations (handles stay valid), the LRU
  // chain its order, the free list its order (the next insert's slot); the
  // hash index is rebuilt under the restoring engine's hash key.
  template <typename V, typename F>
  static void load_table(Reader& r, LruTable<V>& t, std::size_t value_bytes, F&& load_value) {
    const std::size_t slots = r.count(5, "record slots");
    t.entries_.clear();
    t.entries_.grow_to(slots);
    t.links_.clear();
    t.links_.grow_to(slots);
    std::size_t used = 0;
    for (auto& e : t.entries_) {
      e.used = r.flag();
      e.gen = r.get<std::uint32_t>();
      if (!e.used) continue;
      r.check(r.ctx.buf->remaining() >= value_bytes, "truncated");
      const std::string key = r.str("key bytes");
      e.key.assign(key);
      e.hash = t.hash_of(key);
      load_value(r, e.value);
      ++used;
    }
    std::vector<bool> seen(slots, false);
    t.head_ = t.tail_ = kNil;
    for (std::size_t i = 0; i < used; ++i) {
      const auto s = r.get<std::uint32_t>();
      r.check(s < slots && t.entries_[s].used && !seen[s],
              "the LRU order names a free, unknown or repeated slot");
      seen[s] = true;
      t.link_back(s);
    }
    const std::size_t free = r.count(4, "free slots");
    r.check(free == slots - used, "the free list does not hold every free slot");
    t.free_.resize(free);
    for (auto& s : t.free_) {
      s = r.get<std::uint32_t>();
      r.check(s < slots && !t.entries_[s].used && !seen[s], "the free list names a used slot");
      seen[s] = true;
    }
    r.check(t.reindex(), "a key appears twice");
  }

  static void save_handle(Writer& w, engine_detail::Handle h) {
    w.put(h.slot);
    w.put(h.gen);
  }
  static engine_detail::Handle load_handle(Reader& r) {
    engine_detail::Handle h;
    h.slot = r.get<std::uint32_t>();
    h.gen = r.get<std::uint32_t>();
    return h;
  }

  // --- Contacts ---------------------------------------------------------

  static void save_contacts(Writer& w, const engine_detail::ContactBook& b) {
    save_table(w, b.table_, [](Writer& out, const engine_detail::Contact& k) {
      for (Timestamp t : {k.first_queued, k.queued_at, k.answered_at, k.hold_start, k.hold,
                          k.ended_at, k.talk, k.pending_since, k.last_event, k.last_lifecycle,
                          k.sentiment_at}) {  // sentiment_at: engine part version 2
        out.put(t);
      }
      save_handle(out, k.agent);
      out.put(k.series);
      out.put(k.queue);
      out.put(k.channel);
      out.put(static_cast<std::uint8_t>(k.phase));
      out.put(k.flags);
    });
    // One heap in the image, as before the FIFO: a copy (the adaptor hides
    // its container) with the FIFO's timeouts pushed in.
    auto heap = b.acw_late_;
    for (const auto& d : b.acw_fifo_) heap.push(d);
    const auto& due = container_of(heap);
    w.count(due.size());
    for (const auto& d : due) {
      w.put(d.due);
      save_handle(w, d.contact);
      w.put(d.ended_at);
    }
    w.put(b.evicted_);
  }

  static void load_contacts(Reader& r, engine_detail::ContactBook& b, const WindowStore& st,
                            std::uint32_t version) {
    using engine_detail::Phase;
    const std::size_t series = st.series_count();
    const auto& labels = st.labels();
    load_table(r, b.table_, version >= 2 ? 106 : 98, [&](Reader& in, engine_detail::Contact& k) {
      for (Timestamp* t :
           {&k.first_queued, &k.queued_at, &k.answered_at, &k.hold_start, &k.hold, &k.ended_at,
            &k.talk, &k.pending_since, &k.last_event, &k.last_lifecycle}) {
        *t = in.time_or_never();
      }
      // Before version 2 a counted sentiment's time is unknown: the next one
      // replaces it (kNever is earlier than any).
      if (version >= 2) k.sentiment_at = in.time_or_never();
      k.agent = load_handle(in);
      k.series = in.get<std::uint32_t>();
      k.queue = in.get<LabelId>();
      k.channel = in.get<LabelId>();
      k.phase = in.enumerator(Phase::kDone, "contact phase");
      k.flags = in.get<std::uint8_t>();
      in.check(k.series == kNil || k.series < series, "a contact names an unknown series");
      in.check(k.series != kNil || (k.phase != Phase::kWaiting && k.phase != Phase::kActive &&
                                    k.phase != Phase::kAcw && k.phase != Phase::kTransferred),
               "a contact in progress has no series");
      // The times the engine subtracts from in each phase are set.
      in.check((k.phase != Phase::kWaiting || k.queued_at != engine_detail::kNever) &&
                   (k.phase != Phase::kActive || k.answered_at != engine_detail::kNever) &&
                   (k.phase != Phase::kAcw || k.ended_at != engine_detail::kNever) &&
                   (!(k.flags & engine_detail::kHeld) || k.hold_start != engine_detail::kNever) &&
                   k.hold != engine_detail::kNever && k.talk != engine_detail::kNever,
               "a contact lacks a time its phase needs");
      in.check((k.queue == kNoLabel || k.queue < labels.queues.size()) &&
                   (k.channel == kNoLabel || k.channel < labels.channels.size()),
               "a contact names an unknown queue or channel");
    });
    b.acw_fifo_.clear();  // all in the heap: still in due order
    auto& due = container_of(b.acw_late_);
    due.resize(r.count(24, "ACW timeouts"));
    for (auto& d : due) {
      d.due = r.time();
      d.contact = load_handle(r);
      d.ended_at = r.time();
    }
    r.check(std::is_heap(due.begin(), due.end(), std::greater<>{}),
            "the ACW timeouts are not a heap");
    b.evicted_ = r.get<std::uint64_t>();
    b.rebuild_live();
    b.recount_bytes();  // derived from the records, never written
  }

  // --- Agents -----------------------------------------------------------

  static void save_agents(Writer& w, const engine_detail::AgentBook& b) {
    save_table(w, b.table_, [](Writer& out, const engine_detail::Agent& a) {
      out.put(a.since);
      out.put(a.last_wrap);
      out.put(a.team);
      out.flag(a.has_state);
      out.put(static_cast<std::uint8_t>(a.state));
      out.count(a.acw.size());
      for (const auto& h : a.acw) save_handle(out, h);
      out.count(a.history.size());
      for (const auto& tr : a.history) {
        out.put(tr.at);
        out.put(static_cast<std::uint8_t>(tr.state));
        out.put(tr.team);
      }
    });
    w.put(b.evicted_);
  }

  static void load_agents(Reader& r, engine_detail::AgentBook& b, const WindowStore& st) {
    const std::size_t teams = st.labels().teams.size();
    auto team_ok = [&](LabelId t) { return t == kNoLabel || t < teams; };
    constexpr AgentState kLast = static_cast<AgentState>(kAgentStateCount - 1);
    load_table(r, b.table_, 28, [&](Reader& in, engine_detail::Agent& a) {
      a.since = in.time_or_never();
      a.last_wrap = in.time_or_never();
      a.team = in.get<LabelId>();
      a.has_state = in.flag();
      a.state = in.enumerator(kLast, "agent state");
      in.check(team_ok(a.team), "an agent names an unknown team");
      in.check(!a.has_state || a.since != engine_detail::kNever, "an agent's state has no time");
      // Snapshots count agents with a state in their team's row.
      const LabelId row = a.team == kNoLabel ? engine_detail::LabelSet::kUnknown : a.team;
      in.check(!a.has_state || (row < st.team_index_.size() && st.team_index_[row] != kNil),
               "an agent's team has no row");
      a.acw.resize(in.count(8, "ACW contacts"));
      for (auto& h : a.acw) h = load_handle(in);
      a.history.resize(in.count(11, "agent history entries"));
      in.check(a.history.size() <= engine_detail::kAgentHistory, "an agent history is too long");
      for (AgentTransition& tr : a.history) {
        tr.at = in.time();
        tr.state = in.enumerator(kLast, "agent state");
        tr.team = in.get<LabelId>();
        in.check(team_ok(tr.team), "an agent history names an unknown team");
      }
      in.check(std::is_sorted(a.history.begin(), a.history.end(),
                              [](const auto& x, const auto& y) { return x.at < y.at; }),
               "an agent history is not sorted by time");
    });
    b.evicted_ = r.get<std::uint64_t>();
    b.recount_bytes();  // derived from the records, never written
  }

  // --- Cases ------------------------------------------------------------

  static void save_cases(Writer& w, const engine_detail::CaseBook& b) {
    save_table(w, b.table_, [](Writer& out, const engine_detail::Case& c) {
      out.put(c.opened_at);
      out.put(c.last_event);
      out.put(c.series);
      out.flag(c.open);
      out.flag(c.escalated);
      out.flag(c.resolved);
      out.put(c.resolved_at);  // engine part version 2
      out.flag(c.first_contact);
      out.flag(c.reopened);
    });
    w.put(b.evicted_);
  }

  static void load_cases(Reader& r, engine_detail::CaseBook& b, const WindowStore& st,
                         std::uint32_t version) {
    load_table(r, b.table_, version >= 2 ? 33 : 23, [&](Reader& in, engine_detail::Case& c) {
      c.opened_at = in.time_or_never();
      c.last_event = in.time_or_never();
      c.series = in.get<std::uint32_t>();
      c.open = in.flag();
      c.escalated = in.flag();
      c.resolved = in.flag();
      // Before version 2 a resolution's time and FCR are unknown: a reopen
      // of it withdraws nothing.
      if (version >= 2) {
        c.resolved_at = in.time_or_never();
        c.first_contact = in.flag();
        c.reopened = in.flag();
      }
      in.check(c.series == kNil ? !c.open : c.series < st.series_count(),
               "a case names an unknown series");
      // (A case resolved without a known opening and reopened has none.)
      in.check(c.resolved || c.reopened || c.opened_at != engine_detail::kNever,
               "an unresolved case has no opening time");
    });
    b.evicted_ = r.get<std::uint64_t>();
    b.rebuild_active();
    b.recount_bytes();  // derived from the records, never written
  }

  // --- The whole engine -------------------------------------------------

  static const State& state(const Engine& e) { return *e.state_; }

  static void save_engine(Writer& w, const State& s) {
    save_labels(w, s.store.labels());
    save_store(w, s.store);
    save_contacts(w, s.contacts);
    save_agents(w, s.agents);
    save_cases(w, s.cases);
    w.put(s.out_of_sequence_total);
    w.put(s.series_folded_total);
    save_held(w, s.held);  // engine part version 2
  }

  static void load_engine(Reader& r, State& s, std::uint32_t version) {
    load_labels(r, s.store.labels_);
    load_store(r, s.store, version);
    load_contacts(r, s.contacts, s.store, version);
    load_agents(r, s.agents, s.store);
    load_cases(r, s.cases, s.store, version);
    s.out_of_sequence_total = r.get<std::uint64_t>();
    s.series_folded_total = r.get<std::uint64_t>();
    if (version >= 2) load_held(r, s.held);
  }

  // --- Held events (engine part version 2) ------------------------------
  //
  // In due order: kind, due, arrival number, then the event's fields.

  static void save_event(Writer& w, const Event& e) {
    w.put(static_cast<std::uint8_t>(e.type));
    w.put(e.time);
    for (const std::string* f :
         {&e.id, &e.contact, &e.case_id, &e.channel, &e.queue, &e.agent, &e.team, &e.customer,
          &e.to_queue, &e.to_agent, &e.to_channel, &e.reason}) {
      w.str(*f);
    }
    w.flag(e.contacts.has_value());
    if (e.contacts) w.put(*e.contacts);
  }

  static Event load_event(Reader& r) {
    Event e;
    e.type = r.enumerator(static_cast<EventType>(kEventTypeCount - 1), "held event type");
    e.time = r.time();
    for (std::string* f : {&e.id, &e.contact, &e.case_id, &e.channel, &e.queue, &e.agent, &e.team,
                           &e.customer, &e.to_queue, &e.to_agent, &e.to_channel, &e.reason}) {
      *f = r.str("held event bytes");
    }
    if (r.flag()) {
      e.contacts = r.get<std::int64_t>();
      r.check(*e.contacts >= 1, "a held event's contacts is below 1");
    }
    return e;
  }

  static void save_held(Writer& w, const engine_detail::HeldBook& h) {
    w.count(h.by_due_.size());
    for (const auto& [k, entry] : h.by_due_) {
      w.put(static_cast<std::uint8_t>(entry.kind));
      w.put(entry.held.due);
      w.put(entry.held.seq);
      save_event(w, entry.held.event);
    }
    w.put(h.next_seq_);
    w.put(h.evicted_);
  }

  static void load_held(Reader& r, engine_detail::HeldBook& h) {
    using engine_detail::HeldKind;
    const std::size_t n = r.count(75, "held events");
    std::uint64_t max_seq = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const HeldKind kind = r.enumerator(HeldKind::kCase, "held event kind");
      engine_detail::HeldEvent held;
      held.due = r.time();
      held.seq = r.get<std::uint64_t>();
      held.event = load_event(r);
      const std::string_view id =
          kind == HeldKind::kContact ? held.event.contact : held.event.case_id;
      r.check(!id.empty(), "a held event names no contact or case");
      r.check(h.by_due_.find({held.due, held.seq}) == h.by_due_.end(),
              "a held event appears twice");
      max_seq = std::max(max_seq, held.seq);
      const std::uint64_t hash = h.id_hash(id);  // before `held` is moved from
      h.put_back(kind, hash, std::move(held));
    }
    h.next_seq_ = r.get<std::uint64_t>();
    r.check(n == 0 || max_seq < h.next_seq_,
            "a held event's arrival number is not below the next one");
    h.evicted_ = r.get<std::uint64_t>();
  }

  // --- The wallboard's figures (format v3) -------------------------------
  //
  // Per used agent slot, in slot order: its current contact's handle, the
  // latest state reason, and its figures of the day; per series, in index
  // order: today's interval rows.

  static void save_wallboard(Writer& w, const State& s) {
    const auto& agents = s.agents.table_;
    w.count(agents.size());
    for (const auto& e : agents.entries_) {
      if (!e.used) continue;
      const engine_detail::Agent& a = e.value;
      save_handle(w, a.contact);
      w.str(a.reason);
      w.put(a.today.day);
      w.put(a.today.handled);
      w.put(a.today.handle_sum);
      w.put(a.today.available);
      w.put(a.today.busy);
      w.put(a.today.wrap_up);
    }
    w.count(s.store.series_.size());
    for (const auto& ser : s.store.series_) {
      w.count(ser->intervals.size());
      for (const auto& row : ser->intervals) w.array(row.data(), row.size());
    }
  }

  static void load_wallboard(Reader& r, State& s) {
    auto& agents = s.agents.table_;
    r.check(r.count(52, "agents' day figures") == agents.size(),
            "the agents' day figures do not match the agents");
    for (auto& e : agents.entries_) {
      if (!e.used) continue;
      engine_detail::Agent& a = e.value;
      a.contact = load_handle(r);
      a.reason = r.str("reason bytes");
      a.today.day = r.time_or_never();
      a.today.handled = r.get<std::uint32_t>();
      a.today.handle_sum = r.time();
      a.today.available = r.time();
      a.today.busy = r.time();
      a.today.wrap_up = r.time();
    }
    r.check(r.count(4, "interval series") == s.store.series_.size(),
            "the interval series do not match the series");
    for (auto& ser : s.store.series_) {
      ser->intervals.resize(r.count(sizeof(engine_detail::IntervalRow), "interval rows"));
      r.check(ser->intervals.size() <= engine_detail::kMaxIntervals, "too many interval rows");
      for (auto& row : ser->intervals) r.times(row.data(), row.size());
    }
    s.agents.recount_bytes();  // reasons count in the estimate
  }

  using StatePtr = std::unique_ptr<Engine::State>;
  // The engine's hash key is not state: a restored engine keeps its own.
  static StatePtr make_state(EngineConfig c, const HashKey& key) {
    return std::make_unique<Engine::State>(std::move(c), key);
  }
  // Nor is its place among shards (a shard stays the shard it is), or its
  // answers noted and not taken yet (Engine::note_answers).
  static void commit(Engine& e, StatePtr s) {
    s->place = e.state_->place;
    s->answers = std::move(e.state_->answers);
    e.state_ = std::move(s);
  }

  // --- SLA rules and states ---------------------------------------------

  struct Sla {
    std::vector<SlaRule> rules;
    std::vector<SlaState> states;
    std::vector<SlaEvaluator::Track> tracks;
    std::vector<SlaTransition> transitions;
    std::uint64_t transitions_dropped = 0;
    Timestamp last_now = 0;
  };

  static void save_sla(Writer& w, const SlaEvaluator& e) {
    w.count(e.rules_.size());
    for (const SlaRule& rule : e.rules_) {
      w.str(rule.name);
      w.str(rule.kpi);
      w.put(static_cast<std::uint8_t>(rule.comparison));
      w.put(rule.target);
      w.str(rule.window);
      w.str(rule.queue);
      w.str(rule.channel);
      w.put(rule.min_volume);
      w.put(rule.for_duration);
      w.put(rule.clear_margin);
    }
    w.count(e.states_.size());
    for (std::size_t i = 0; i < e.states_.size(); ++i) {
      const SlaState& s = e.states_[i];
      for (const std::string* str : {&s.sla, &s.queue, &s.channel, &s.kpi, &s.window}) w.str(*str);
      w.put(static_cast<std::uint8_t>(s.comparison));
      w.opt(s.value);
      w.put(s.target);
      w.flag(s.breached);
      w.put(s.breaches_total);
      w.put(s.since);
      const auto& t = e.tracks_[i];
      w.put(static_cast<std::uint64_t>(t.rule));
      w.flag(t.violating);
      w.put(t.violating_since);
    }
    w.count(e.transitions_.size());
    for (const SlaTransition& t : e.transitions_) {
      w.str(t.sla);
      w.str(t.queue);
      w.str(t.channel);
      w.opt(t.value);
      w.put(t.target);
      w.flag(t.entered);
      w.put(t.at);
    }
    w.put(e.transitions_dropped_);
    w.put(e.last_now_);
  }

  static Sla load_sla(Reader& r) {
    Sla out;
    out.rules.resize(r.count(50, "SLA rules"));
    for (SlaRule& rule : out.rules) {
      rule.name = r.str("rule name bytes");
      rule.kpi = r.str("rule KPI bytes");
      rule.comparison = r.enumerator(Comparison::kLess, "comparison");
      rule.target = r.get<double>();
      rule.window = r.str("rule window bytes");
      rule.queue = r.str("rule queue bytes");
      rule.channel = r.str("rule channel bytes");
      rule.min_volume = r.get<double>();
      rule.for_duration = r.time();
      rule.clear_margin = r.get<double>();
    }
    const std::size_t n = r.count(60, "SLA states");
    out.states.resize(n);
    out.tracks.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      SlaState& s = out.states[i];
      for (std::string* str : {&s.sla, &s.queue, &s.channel, &s.kpi, &s.window}) {
        *str = r.str("SLA state bytes");
      }
      s.comparison = r.enumerator(Comparison::kLess, "comparison");
      s.value = r.opt();
      s.target = r.get<double>();
      s.breached = r.flag();
      s.breaches_total = r.get<std::uint64_t>();
      s.since = r.time();
      auto& t = out.tracks[i];
      const auto rule = r.get<std::uint64_t>();
      r.check(rule < out.rules.size(), "an SLA state names an unknown rule");
      t.rule = static_cast<std::size_t>(rule);
      t.violating = r.flag();
      t.violating_since = r.time();
    }
    // evaluate() finds old states by bisection on (rule, queue, channel).
    for (std::size_t i = 1; i < n; ++i) {
      r.check(std::tie(out.tracks[i - 1].rule, out.states[i - 1].queue, out.states[i - 1].channel) <
                  std::tie(out.tracks[i].rule, out.states[i].queue, out.states[i].channel),
              "SLA states are not sorted by (rule, queue, channel)");
    }
    out.transitions.resize(r.count(31, "SLA transitions"));
    r.check(out.transitions.size() <= SlaEvaluator::kMaxPendingTransitions,
            "more pending SLA transitions than the evaluator keeps");
    for (SlaTransition& t : out.transitions) {
      t.sla = r.str("transition bytes");
      t.queue = r.str("transition bytes");
      t.channel = r.str("transition bytes");
      t.value = r.opt();
      t.target = r.get<double>();
      t.entered = r.flag();
      t.at = r.time();
    }
    out.transitions_dropped = r.get<std::uint64_t>();
    out.last_now = r.time();
    return out;
  }

  static void commit(SlaEvaluator& e, Sla s) {
    e.rules_ = std::move(s.rules);
    e.states_ = std::move(s.states);
    e.tracks_ = std::move(s.tracks);
    e.transitions_ = std::move(s.transitions);
    e.transitions_dropped_ = s.transitions_dropped;
    e.last_now_ = s.last_now;
  }
};

// --- The parts of the image, each with its cereal class version --------
//
// A part carries what it writes (encode) or where it reads to (decode).
// cereal writes a part's class version before its first occurrence; a load
// function receives the version that was written and reads that layout.

namespace image {

struct ConfigPart {
  const EngineConfig* in = nullptr;
  EngineConfig* out = nullptr;
  Context* ctx = nullptr;
};
struct EnginePart {
  const Access::State* in = nullptr;
  Access::State* out = nullptr;
  Context* ctx = nullptr;
};
struct DedupPart {
  const Deduplicator* in = nullptr;
  DedupOptions* options = nullptr;
  std::vector<Deduplicator::Remembered>* out = nullptr;
  HashKey* key = nullptr;  // in: the restoring memory's own key
  std::size_t* legacy = nullptr;
  Context* ctx = nullptr;
};
struct SlaPart {
  const SlaEvaluator* in = nullptr;
  Access::Sla* out = nullptr;
  Context* ctx = nullptr;
};
// From format v3: the agents' day figures and today's intervals.
struct WallboardPart {
  const Access::State* in = nullptr;
  Access::State* out = nullptr;
  Context* ctx = nullptr;
};

// A part version this build does not know (newer, or 0) is refused.
void check_version(Reader& r, std::uint32_t version, std::uint32_t newest) {
  if (version == 0 || version > newest) {
    fail(r.ctx,
         "part version " + num(version) + " is not one this ccmon reads (1.." + num(newest) + ")");
  }
}

void save(Out& ar, const ConfigPart& p, std::uint32_t) {
  Writer w{ar};
  Access::save_config(w, *p.in);
}
void load(In& ar, ConfigPart& p, std::uint32_t version) {
  p.ctx->part = "configuration";
  Reader r{ar, *p.ctx};
  check_version(r, version, 2);
  *p.out = Access::load_config(r, version);
}

void save(Out& ar, const EnginePart& p, std::uint32_t) {
  Writer w{ar};
  Access::save_engine(w, *p.in);
}
void load(In& ar, EnginePart& p, std::uint32_t version) {
  p.ctx->part = "engine";
  Reader r{ar, *p.ctx};
  check_version(r, version, 3);
  Access::load_engine(r, *p.out, version);
}

void save(Out& ar, const DedupPart& p, std::uint32_t) {
  Writer w{ar};
  const DedupOptions o = p.in->options();
  w.put(o.horizon);
  w.put(static_cast<std::uint64_t>(o.max_ids));
  // Two arrays rather than pairs, each written in blocks through a small
  // buffer: copies of the 2M ids' memory would be 64 MB of fresh pages,
  // which the snapshot process pays for in page faults.
  const std::size_t n = p.in->size();
  w.count(n);
  constexpr std::size_t kBlock = 4096;
  std::vector<Deduplicator::Remembered> block(kBlock);
  std::vector<std::uint64_t> column(kBlock);
  for (const bool hashes : {true, false}) {
    for (std::size_t from = 0; from < n; from += kBlock) {
      const std::size_t k = p.in->remembered(from, block);
      // size() and the FIFO agree by the memory's invariant; were they ever
      // to differ, the count above would make the image unreadable.
      if (k == 0) throw std::logic_error("duplicate-id memory: fewer ids than its size");
      for (std::size_t i = 0; i < k; ++i) {
        column[i] = hashes ? block[i].hash : static_cast<std::uint64_t>(block[i].at);
      }
      w.array(column.data(), k);
    }
  }
  // Version 2: the key the hashes were made with, and how many of the
  // oldest are unkeyed ones from a v1 image (core/dedup/deduplicator.hpp).
  w.array(p.in->hash_key().bytes.data(), p.in->hash_key().bytes.size());
  w.put(static_cast<std::uint64_t>(p.in->legacy()));
}
void load(In& ar, DedupPart& p, std::uint32_t version) {
  p.ctx->part = "duplicate-id memory";
  Reader r{ar, *p.ctx};
  check_version(r, version, 2);
  p.options->horizon = r.time();
  p.options->max_ids = Access::size_value(r);
  const std::size_t n = r.count(16, "remembered ids");
  std::vector<std::uint64_t> hashes(n);
  std::vector<Timestamp> times(n);
  r.array(hashes.data(), n);
  r.times(times.data(), n);
  p.out->resize(n);
  for (std::size_t i = 0; i < n; ++i) (*p.out)[i] = {hashes[i], times[i]};
  if (version == 1) {
    // Unkeyed std::hash values: legacy until they expire; new ids are
    // hashed under the restoring memory's key, which *p.key holds already.
    *p.legacy = n;
    return;
  }
  r.array(p.key->bytes.data(), p.key->bytes.size());
  *p.legacy = Access::size_value(r);
}

void save(Out& ar, const SlaPart& p, std::uint32_t) {
  Writer w{ar};
  Access::save_sla(w, *p.in);
}
void load(In& ar, SlaPart& p, std::uint32_t version) {
  p.ctx->part = "SLA states";
  Reader r{ar, *p.ctx};
  check_version(r, version, 1);
  *p.out = Access::load_sla(r);
}

void save(Out& ar, const WallboardPart& p, std::uint32_t) {
  Writer w{ar};
  Access::save_wallboard(w, *p.in);
}
void load(In& ar, WallboardPart& p, std::uint32_t version) {
  p.ctx->part = "wallboard figures";
  Reader r{ar, *p.ctx};
  check_version(r, version, 1);
  Access::load_wallboard(r, *p.out);
}

}  // namespace image

}  // namespace ccmon::core::persist

CEREAL_CLASS_VERSION(ccmon::core::persist::image::ConfigPart, 2)
CEREAL_CLASS_VERSION(ccmon::core::persist::image::EnginePart, 3)
CEREAL_CLASS_VERSION(ccmon::core::persist::image::DedupPart, 2)
CEREAL_CLASS_VERSION(ccmon::core::persist::image::SlaPart, 1)
CEREAL_CLASS_VERSION(ccmon::core::persist::image::WallboardPart, 1)

namespace ccmon::core::persist {

void encode_state(const Engine& engine, const Deduplicator& dedup, const SlaEvaluator& sla,
                  std::string_view extra, const ImageSink& sink) {
  // The image holds the windows as if every span were split and every delta added.
  engine.flush_deferred();
  char head[sizeof kMagic + 4];
  std::memcpy(head, kMagic, sizeof kMagic);
  for (int i = 0; i < 4; ++i)
    head[sizeof kMagic + i] = static_cast<char>((kStateFormatVersion >> (8 * i)) & 0xFF);
  sink({head, sizeof head});
  StagedBuf buf(sink);
  {
    std::ostream os(&buf);
    Out ar(os, Out::Options::LittleEndian());
    const Access::State& s = Access::state(engine);
    ar(image::ConfigPart{&s.config, nullptr, nullptr});
    ar(image::EnginePart{&s, nullptr, nullptr});
    ar(image::DedupPart{&dedup, nullptr, nullptr, nullptr, nullptr, nullptr});
    ar(image::SlaPart{&sla, nullptr, nullptr});
    ar(image::WallboardPart{&s, nullptr, nullptr});
    Writer w{ar};
    w.str(extra);
  }
  buf.finish();
}

std::string encode_state(const Engine& engine, const Deduplicator& dedup, const SlaEvaluator& sla,
                         std::string_view extra) {
  std::string out;
  encode_state(engine, dedup, sla, extra, [&out](std::string_view bytes) { out.append(bytes); });
  return out;
}

std::string decode_state(std::string_view bytes, Engine& engine, Deduplicator& dedup,
                         SlaEvaluator& sla) {
  Context ctx;
  if (bytes.size() < kHeaderBytes + 1 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    fail(ctx, "not a ccmon state image (no \"CCMONSTA\" magic)");
  }
  std::uint32_t version = 0;
  for (int i = 0; i < 4; ++i) {
    version |= std::uint32_t{static_cast<unsigned char>(bytes[sizeof kMagic + i])} << (8 * i);
  }
  if (version == 0 || version > kStateFormatVersion) {
    fail(ctx, "format version " + num(version) + " is newer than this ccmon reads (up to " +
                  num(kStateFormatVersion) + "); use the ccmon that wrote it or start afresh");
  }
  // cereal's endianness byte: this format is always little-endian.
  if (bytes[kHeaderBytes] != 1) fail(ctx, "the archive is not marked little-endian");

  ViewBuf buf(bytes.substr(kHeaderBytes));
  std::istream is(&buf);
  ctx.buf = &buf;
  EngineConfig config;
  Access::StatePtr state;
  DedupOptions dedup_options;
  std::vector<Deduplicator::Remembered> remembered;
  HashKey dedup_key = dedup.hash_key();
  std::size_t dedup_legacy = 0;
  Access::Sla sla_state;
  std::string extra;
  try {
    In ar(is, In::Options::LittleEndian());
    ar(image::ConfigPart{nullptr, &config, &ctx});
    state = Access::make_state(config, Access::state(engine).hash_key());
    ar(image::EnginePart{nullptr, state.get(), &ctx});
    ar(image::DedupPart{nullptr, &dedup_options, &remembered, &dedup_key, &dedup_legacy, &ctx});
    ar(image::SlaPart{nullptr, &sla_state, &ctx});
    // Before v3 the agents' day and the intervals start at zero.
    if (version >= 3) ar(image::WallboardPart{nullptr, state.get(), &ctx});
    ctx.part = "extra";
    Reader r{ar, ctx};
    extra = r.str("extra bytes");
  } catch (const cereal::Exception&) {
    fail(ctx, "truncated");
  }
  if (buf.remaining() != 0) fail(ctx, num(buf.remaining()) + " bytes after the end of the image");
  ctx.part = "duplicate-id memory";
  try {
    // the last step that may fail
    dedup.restore(dedup_options, remembered, dedup_key, dedup_legacy);
  } catch (const std::invalid_argument& e) {
    fail(ctx, e.what());
  }
  Access::commit(engine, std::move(state));
  Access::commit(sla, std::move(sla_state));
  return extra;
}

}  // namespace ccmon::core::persist
