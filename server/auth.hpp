// Who may call what: bearer tokens per role (server.auth.*_tokens and
// *_token_files). The rules are documented in docs/ingestion.md,
// "Authentication".
#pragma once

#include <optional>
#include <string_view>

#include "config/config.hpp"

namespace ccmon::server {

enum class Role {
  kIngest,  // POST /v1/events, /v1/stream: ingest_tokens
  kRead,    // GET /metrics, /v1/kpis, /v1/live (the wallboard): metrics_tokens
  kAdmin,   // POST /-/reload: admin_tokens
};
inline constexpr int kRoleCount = 3;
// "ingest", "read", "admin": the `role` label of ccmon_auth_rejected_total.
std::string_view to_string(Role r);

// Why a request or stream is refused (the `reason` label of
// ccmon_auth_rejected_total, docs/metrics.md).
enum class AuthRefusal {
  kMissingToken,  // 401: no `Authorization: Bearer` credential
  kUnknownToken,  // 401: a token of no role
  kWrongRole,     // 403: a valid token, of another role
  kRoleClosed,    // 403: no token can open it (admin without admin tokens, auth on)
  kRevoked,       // an open stream whose token a reload revoked (close 1008)
};
inline constexpr int kAuthRefusalCount = 5;
std::string_view to_string(AuthRefusal r);

// True for the refusals HTTP answers 403 (RFC 9110 §15.5.4: credentials
// understood, not sufficient); the others are 401 (§15.5.2), sent with
// `WWW-Authenticate: Bearer`.
bool is_forbidden(AuthRefusal r);

// Decides from the request's `Authorization` header value (empty when
// absent): nullopt when allowed. A role with tokens needs `Bearer <one of
// them>` (scheme case-insensitive, RFC 9110 §11.1; tokens compared in
// constant time, every token of every role, so the time taken does not tell
// which matched). Ingest and read without tokens are open; admin without
// tokens is open only while no token of any role is configured, and closed
// otherwise (SIGHUP still reloads). Never returns kRevoked. Thread-safe.
std::optional<AuthRefusal> check_access(std::string_view authorization,
                                        const config::AuthConfig& auth, Role role);

}  // namespace ccmon::server
