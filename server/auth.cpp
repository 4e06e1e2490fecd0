#include "server/auth.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace ccmon::server {
namespace {

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Length leaks, content does not: compare every byte of the longer one.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff = static_cast<unsigned char>(diff | (x ^ y));
  }
  return diff == 0;
}

// The token of `Bearer <token>`, or nullopt for no header or another scheme.
std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return std::nullopt;
    }
  }
  authorization.remove_prefix(kScheme.size());
  return authorization;
}

// Every token is compared, a match or not.
bool any_matches(std::string_view token, const std::vector<std::string>& tokens) {
  bool ok = false;
  for (const auto& t : tokens) ok |= constant_time_equal(token, t);
  return ok;
}

const std::vector<std::string>& tokens_of(const config::AuthConfig& auth, Role role) {
  switch (role) {
    case Role::kIngest:
      return auth.ingest_tokens;
    case Role::kRead:
      return auth.metrics_tokens;
    case Role::kAdmin:
      break;
  }
  return auth.admin_tokens;
}

}  // namespace

std::string_view to_string(Role r) {
  switch (r) {
    case Role::kIngest:
      return "ingest";
    case Role::kRead:
      return "read";
    case Role::kAdmin:
      break;
  }
  return "admin";
}

std::string_view to_string(AuthRefusal r) {
  switch (r) {
    case AuthRefusal::kMissingToken:
      return "missing_token";
    case AuthRefusal::kUnknownToken:
      return "unknown_token";
    case AuthRefusal::kWrongRole:
      return "wrong_role";
    case AuthRefusal::kRoleClosed:
      return "role_closed";
    case AuthRefusal::kRevoked:
      break;
  }
  return "revoked";
}

bool is_forbidden(AuthRefusal r) {
  return r == AuthRefusal::kWrongRole || r == AuthRefusal::kRoleClosed;
}

std::optional<AuthRefusal> check_access(std::string_view authorization,
                                        const config::AuthConfig& auth, Role role) {
  const auto& tokens = tokens_of(auth, role);
  if (tokens.empty()) {
    // Reloading is an operator's act: with auth on, it needs its own token.
    if (role == Role::kAdmin && auth.any()) return AuthRefusal::kRoleClosed;
    return std::nullopt;
  }
  const auto token = bearer_token(authorization);
  if (!token) return AuthRefusal::kMissingToken;
  bool mine = false;
  bool other = false;
  for (const Role r : {Role::kIngest, Role::kRead, Role::kAdmin}) {
    const bool match = any_matches(*token, tokens_of(auth, r));
    (r == role ? mine : other) |= match;
  }
  if (mine) return std::nullopt;
  return other ? AuthRefusal::kWrongRole : AuthRefusal::kUnknownToken;
}

}  // namespace ccmon::server
