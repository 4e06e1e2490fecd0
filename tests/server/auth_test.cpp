// Role decisions (docs/ingestion.md, "Authentication"): who gets in, and
// which refusal (401 or 403, and its reason) everyone else gets.
#include "server/auth.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

namespace ccmon::server {
namespace {

using R = std::optional<AuthRefusal>;
constexpr R kIn = std::nullopt;

config::AuthConfig all_roles() {
  config::AuthConfig a;
  a.ingest_tokens = {"ing", "ing2"};
  a.metrics_tokens = {"read"};
  a.admin_tokens = {"adm"};
  return a;
}

std::string bearer(const std::string& t) {
  return "Bearer " + t;
}

}  // namespace

TEST_CASE("the 401/403 matrix with a token for every role", "[server][auth]") {
  const auto a = all_roles();
  struct Row {
    std::string authorization;
    R ingest, read, admin;
  };
  // By hand from the rules: no credential or another scheme -> missing (401);
  // a token of no role -> unknown (401); a token of another role -> wrong
  // role (403); the role's own token -> in.
  const Row rows[] = {
      {"", R(AuthRefusal::kMissingToken), R(AuthRefusal::kMissingToken),
       R(AuthRefusal::kMissingToken)},
      {"Basic aW5nOg==", R(AuthRefusal::kMissingToken), R(AuthRefusal::kMissingToken),
       R(AuthRefusal::kMissingToken)},
      {"Bearer ", R(AuthRefusal::kMissingToken), R(AuthRefusal::kMissingToken),
       R(AuthRefusal::kMissingToken)},
      {bearer("nope"), R(AuthRefusal::kUnknownToken), R(AuthRefusal::kUnknownToken),
       R(AuthRefusal::kUnknownToken)},
      {bearer("ING"), R(AuthRefusal::kUnknownToken), R(AuthRefusal::kUnknownToken),
       R(AuthRefusal::kUnknownToken)},  // tokens are case-sensitive
      {bearer("in"), R(AuthRefusal::kUnknownToken), R(AuthRefusal::kUnknownToken),
       R(AuthRefusal::kUnknownToken)},  // a prefix is not the token
      {bearer("ing"), kIn, R(AuthRefusal::kWrongRole), R(AuthRefusal::kWrongRole)},
      {bearer("ing2"), kIn, R(AuthRefusal::kWrongRole), R(AuthRefusal::kWrongRole)},
      {"bEaReR ing", kIn, R(AuthRefusal::kWrongRole), R(AuthRefusal::kWrongRole)},
      {bearer("read"), R(AuthRefusal::kWrongRole), kIn, R(AuthRefusal::kWrongRole)},
      {bearer("adm"), R(AuthRefusal::kWrongRole), R(AuthRefusal::kWrongRole), kIn},
  };
  for (const auto& row : rows) {
    INFO("Authorization: " << row.authorization);
    CHECK(check_access(row.authorization, a, Role::kIngest) == row.ingest);
    CHECK(check_access(row.authorization, a, Role::kRead) == row.read);
    CHECK(check_access(row.authorization, a, Role::kAdmin) == row.admin);
  }
}

TEST_CASE("roles without tokens: ingest and read open, admin closed once auth is on",
          "[server][auth]") {
  config::AuthConfig none;
  for (const Role r : {Role::kIngest, Role::kRead, Role::kAdmin}) {
    CHECK(check_access("", none, r) == kIn);
    CHECK(check_access(bearer("anything"), none, r) == kIn);
  }
  config::AuthConfig ingest_only;
  ingest_only.ingest_tokens = {"ing"};
  CHECK(check_access("", ingest_only, Role::kRead) == kIn);
  CHECK(check_access("", ingest_only, Role::kIngest) == R(AuthRefusal::kMissingToken));
  // No admin token can exist: closed to everyone, the ingest token included.
  CHECK(check_access("", ingest_only, Role::kAdmin) == R(AuthRefusal::kRoleClosed));
  CHECK(check_access(bearer("ing"), ingest_only, Role::kAdmin) == R(AuthRefusal::kRoleClosed));
  // Admin tokens alone close reloading to others, and nothing else.
  config::AuthConfig admin_only;
  admin_only.admin_tokens = {"adm"};
  CHECK(check_access(bearer("adm"), admin_only, Role::kAdmin) == kIn);
  CHECK(check_access("", admin_only, Role::kAdmin) == R(AuthRefusal::kMissingToken));
  CHECK(check_access("", admin_only, Role::kIngest) == kIn);
  // The same token in two roles opens both.
  config::AuthConfig shared = all_roles();
  shared.metrics_tokens.push_back("ing");
  CHECK(check_access(bearer("ing"), shared, Role::kRead) == kIn);
  CHECK(check_access(bearer("ing"), shared, Role::kIngest) == kIn);
}

TEST_CASE("refusals map to 401 or 403 and to their label values", "[server][auth]") {
  CHECK_FALSE(is_forbidden(AuthRefusal::kMissingToken));
  CHECK_FALSE(is_forbidden(AuthRefusal::kUnknownToken));
  CHECK_FALSE(is_forbidden(AuthRefusal::kRevoked));
  CHECK(is_forbidden(AuthRefusal::kWrongRole));
  CHECK(is_forbidden(AuthRefusal::kRoleClosed));
  CHECK(to_string(Role::kIngest) == "ingest");
  CHECK(to_string(Role::kRead) == "read");
  CHECK(to_string(Role::kAdmin) == "admin");
  CHECK(to_string(AuthRefusal::kMissingToken) == "missing_token");
  CHECK(to_string(AuthRefusal::kUnknownToken) == "unknown_token");
  CHECK(to_string(AuthRefusal::kWrongRole) == "wrong_role");
  CHECK(to_string(AuthRefusal::kRoleClosed) == "role_closed");
  CHECK(to_string(AuthRefusal::kRevoked) == "revoked");
}

}  // namespace ccmon::server
