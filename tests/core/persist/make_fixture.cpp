// ccmon_state_fixture: writes the state images the tests and the fuzz target
// start from, from deterministic scenarios (docs/state-format.md):
//   ccmon_state_fixture FIXTURE [SEED_DIR]
// FIXTURE gets the current version's fixture (fixture.hpp; commit it only when a new format
// version is added: a committed version-N file must stay as it was written).
// SEED_DIR (tests/fuzz/corpus/fuzz_state_codec) gets the fuzz seeds: the
// fixture, the image of an engine without events and of a busier random day.
#include <cstdio>
#include <fstream>
#include <string>

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
  }
  return 0;
}
