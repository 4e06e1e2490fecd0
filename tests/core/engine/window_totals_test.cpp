// The performance-driven internals: a window's running totals take each
// bucket from its first write until it leaves, and ids are stored inline up
// to 44 bytes. Expected values are computed by hand in the comments.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "core/engine/inline_key.hpp"
#include "core/engine/lru_table.hpp"
#include "core/engine/window.hpp"

using namespace ccmon::core;
using namespace ccmon::core::engine_detail;

namespace {

Delta one(std::uint8_t field, std::int64_t v, std::int64_t wait = -1) {
  Delta d;
  d.add(field, v);
  d.wait = wait;
  return d;
}

}  // namespace

TEST_CASE("window: a bucket is in the totals from its first write until it leaves",
          "[engine][window]") {
  // 60 s window: buckets 1 s wide, bucket k holds (k, k+1] s.
  Window<2> w(seconds(60), seconds(60));
  w.add(seconds(10), one(0, 1, seconds(3)));  // bucket 9
  w.add(seconds(10), one(0, 2));              // bucket 9 again
  CHECK(w.totals().v[0] == 3);                // before any expiry: 1 + 2
  w.expire(seconds(10));                      // window = buckets 9-59 .. 9
  CHECK(w.totals().v[0] == 3);
  CHECK(w.wait_max() == seconds(3));

  w.add(seconds(20), one(0, 4, seconds(7)));  // bucket 19
  w.expire(seconds(20));
  CHECK(w.totals().v[0] == 7);  // 3 + 4
  CHECK(w.wait_max() == seconds(7));

  // A late event into bucket 9.
  w.add(seconds(10), one(0, 10));
  CHECK(w.totals().v[0] == 17);  // 3 + 10 + 4

  // At now = 75 s the window starts after bucket 15 (75 - 60): bucket 9
  // (13) leaves, bucket 19 (4) stays.
  w.expire(seconds(75));
  CHECK(w.totals().v[0] == 4);
  CHECK(w.wait_max() == seconds(7));

  // At now = 85 s bucket 19, the newest, leaves too.
  w.expire(seconds(85));
  CHECK(w.totals().v[0] == 0);
  CHECK(w.wait_max() == -1);
}

TEST_CASE("window: wait bins from the first wait, and time going back", "[engine][window]") {
  Window<1> w(seconds(60), seconds(60));
  w.add(seconds(5), one(0, 1, seconds(2)));   // bin 2 (1 s bins below 2 min)
  w.add(seconds(5), one(0, 1, seconds(2)));   // bin 2 again
  w.add(seconds(5), one(0, 1, seconds(40)));  // bin 40
  w.expire(seconds(5));
  REQUIRE(w.totals().wait_bins.size() == static_cast<std::size_t>(WaitBins::kCount));
  CHECK(w.totals().wait_bins[2] == 2);
  CHECK(w.totals().wait_bins[40] == 1);

  w.add(seconds(6), one(0, 1));  // bucket 5
  w.expire(seconds(6));
  CHECK(w.totals().v[0] == 4);  // 3 + 1

  // Time going back rebuilds the totals from the ring: at now = 3 s the
  // window holds bucket -57 and on, buckets 4 and 5 (ahead of now) count as
  // events ahead of now do (docs/kpis.md): the same sums and bins.
  w.expire(seconds(3));
  CHECK(w.totals().v[0] == 4);
  CHECK(w.totals().wait_bins[2] == 2);
  CHECK(w.totals().wait_bins[40] == 1);
}

TEST_CASE("inline key: short ids inside, long ones on the heap", "[engine][lru]") {
  InlineKey k;
  const std::string uuid = "123e4567-e89b-12d3-a456-426614174000";  // 36 bytes
  k.assign(uuid);
  CHECK(k.view() == uuid);
  const std::string long_id(128, 'x');  // the codec's largest id, > 44 bytes
  k.assign(long_id);
  CHECK(k.view() == long_id);
  k.assign("");
  CHECK(k.view().empty());

  LruTable<int> t;
  t[t.insert(long_id)] = 1;
  t[t.insert(uuid)] = 2;
  REQUIRE(t.find(long_id) != kNil);
  CHECK(t[t.find(long_id)] == 1);
  CHECK(t[t.find(uuid)] == 2);
  CHECK(t.find(std::string(127, 'x')) == kNil);
}
