// The Catch2 main of every unit test binary. A test case that cannot check
// what it is for on this machine says so with WARN("SKIPPED: <reason>") and
// returns; this main makes such skips visible to ctest the way
// tests/support/run_unittest.py does for the Python tests: when nothing
// failed, it lists them and exits with 77, which ccmon_unit_tests sets as
// the tests' SKIP_RETURN_CODE (ctest then reports the binary "Skipped"); with
// CCMON_REQUIRE_ALL set to anything but 0 (.ci/run sets 1) a skip is a
// failure (exit 1).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr int kSkipReturnCode = 77;

std::vector<std::string>& skips() {
  static std::vector<std::string> list;
  return list;
}

struct SkipListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  bool assertionEnded(Catch::AssertionStats const& stats) override {
    const auto& result = stats.assertionResult;
    if (result.getResultType() == Catch::ResultWas::Warning &&
        result.getMessage().rfind("SKIPPED", 0) == 0) {
      skips().push_back(current_ + ": " + result.getMessage());
    }
    return true;
  }
  void testCaseStarting(Catch::TestCaseInfo const& info) override {
    current_ = info.name;
    TestEventListenerBase::testCaseStarting(info);
  }

 private:
  std::string current_;
};

}  // namespace

CATCH_REGISTER_LISTENER(SkipListener)

int main(int argc, char* argv[]) {
  // Catch2 returns the failed assertions' count (up to 255): 77 of them
  // must not read as a skip.
  if (Catch::Session().run(argc, argv) != 0) return 1;
  if (skips().empty()) return 0;
  std::cerr << "\n" << skips().size() << " skipped:\n";
  for (const auto& s : skips()) std::cerr << "  " << s << "\n";
  const std::string require_all =
      std::getenv("CCMON_REQUIRE_ALL") ? std::getenv("CCMON_REQUIRE_ALL") : "";
  if (!require_all.empty() && require_all != "0") {
    std::cerr << "CCMON_REQUIRE_ALL=1: a skipped test is a failure\n";
    return 1;
  }
  return kSkipReturnCode;
}
