// ccmon_state_fixture: writes the state images the tests and the fuzz target
// start from, from deterministic scenarios (docs/state-format.md):
//   ccmon_state_fixture FIXTURE [SEED_DIR]
// FIXTURE gets the current version's fixture (fixture.hpp; commit it only when a new format
// version is added: a committed version-N file must stay as it was written).
// SEED_DIR (tests/fuzz/corpus/fuzz_state_codec) gets the fuzz seeds: the
// fixture, the image of an engine without events and of a busier random day,
// and that day over 3 engine shards in the sharded container, with its queues
// placed in order and as written before placements were kept.
#include <cstdio>
#include <fstream>
#include <string>

#include "core/engine/sharded_engine.hpp"
#include "core/persist/sharded_state_codec.hpp"
#include "core/persist/state_codec.hpp"
#include "fixture.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

namespace {

bool write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "ccmon_state_fixture: cannot write %s\n", path.c_str());
    return false;
  }
  std::printf("%s: %zu bytes\n", path.c_str(), bytes.size());
  return true;
}

// The busy day's first 100 steps over 3 engine shards (smaller than the
// busy seed, so the fuzzer runs them often): with the queues placed in
// order in the current container, and placed by the hash of their names in
// the container from before placements were kept, as that encoder wrote
// it (docs/state-format.md, "Shards").
std::string sharded_image(bool hashed) {
  ShardedEngine sharded(busy_config(), 3);
  if (hashed) sharded.restore_queues(QueuePlacement::hashed(3, sharded.hash_key()));
  Deduplicator dedup(busy_dedup());
  SlaEvaluator sla(busy_rules());
  for (const Step& s : random_steps(5, 100)) {
    if (s.kind == Step::kEvent) {
      if (dedup.insert(s.event.id, s.event.time)) sharded.apply(s.event);
    } else if (s.kind == Step::kAdvance) {
      sharded.advance(s.t);
      dedup.expire(s.t);
    } else {
      sla.evaluate(*sharded.snapshot(s.t), s.t);
    }
  }
  const std::string image = persist::encode_sharded_state(sharded, dedup, sla, "s");
  if (!hashed) return image;
  // Magic, count, then the shards: the placement kind and its empty list go.
  return "CCMONSHD" + image.substr(8, 4) + image.substr(8 + 4 + 1 + 4);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: ccmon_state_fixture FIXTURE [SEED_DIR]\n");
    return 2;
  }
  const std::string fixture = fixture_image();
  if (!write(argv[1], fixture)) return 1;
  if (argc == 3) {
    const std::string dir(argv[2]);
    World empty(fixture_config(), fixture_dedup(), fixture_rules());
    World busy(busy_config(), busy_dedup(), busy_rules());
    for (const Step& s : random_steps(5, 300)) run(busy, s);
    std::string seed_name("/seed-fixture-v");
    seed_name.append(std::to_string(persist::kStateFormatVersion));
    if (!write(dir + seed_name, fixture) ||
        !write(dir + "/seed-empty",
               persist::encode_state(empty.engine, empty.dedup, empty.sla, "")) ||
        !write(dir + "/seed-busy", persist::encode_state(busy.engine, busy.dedup, busy.sla, "b"))) {
      return 1;
    }
    if (!write(dir + "/seed-sharded", sharded_image(false)) ||
        !write(dir + "/seed-sharded-hashed", sharded_image(true))) {
      return 1;
    }
  }
  return 0;
}
