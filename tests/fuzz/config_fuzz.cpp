// libFuzzer target: YAML text -> config::load_config_string, the path of
// `ccmond --config FILE` and of every reload (config/config_loader.cpp).
// Checks the LoadResult contract (config/config.hpp): a configuration
// exactly when there are no errors, and every error says something.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  const ccmon::config::LoadResult result = ccmon::config::load_config_string(yaml, "fuzz.yml");
  CCMON_FUZZ_CHECK(result.config.has_value() == result.errors.empty());
  for (const auto& e : result.errors) {
    CCMON_FUZZ_CHECK(!e.message.empty());
    CCMON_FUZZ_CHECK(e.line >= 0 && e.column >= 0);
    CCMON_FUZZ_CHECK(!ccmon::config::to_string(e).empty());
  }
  return 0;
}
