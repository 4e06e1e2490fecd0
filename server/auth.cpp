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

// True when `authorization` is `Bearer <t>` for one of `tokens`.
bool bearer_matches(std::string_view authorization, const std::vector<std::string>& tokens) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return false;
    }
  }
  authorization.remove_prefix(kScheme.size());
  bool ok = false;
  for (const auto& t : tokens) ok |= constant_time_equal(authorization, t);
  return ok;
}

const std::vector<std::string>& tokens_of(const config::AuthConfig& auth, Role role) {
  switch (role) {
    case Role::kIngest:
      return auth.ingest_tokens;
    case Role::kMetrics:
      return auth.metrics_tokens;
    case Role::kAdmin:
      break;
  }
  return auth.admin_tokens;
}

}  // namespace

Access check_access(std::string_view authorization, const config::AuthConfig& auth, Role role) {
  const auto& tokens = tokens_of(auth, role);
  if (tokens.empty()) {
    // Reloading is an operator's act: with auth on, it needs its own token.
    return role == Role::kAdmin && auth.any() ? Access::kForbidden : Access::kAllowed;
  }
  return bearer_matches(authorization, tokens) ? Access::kAllowed : Access::kUnauthorized;
}

}  // namespace ccmon::server
