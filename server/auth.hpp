// Who may call what: bearer tokens per role (server.auth.*_tokens). The rules
// are documented in docs/ingestion.md, "Authentication".
#pragma once

#include <string_view>

#include "config/config.hpp"

namespace ccmon::server {

enum class Role {
  kIngest,   // POST /v1/events, /v1/stream
  kMetrics,  // GET /metrics, /v1/kpis
  kAdmin,    // POST /-/reload
};

enum class Access {
  kAllowed,
  kUnauthorized,  // 401: the role has tokens and the request carries none of them
  kForbidden,     // 403: no token can open it (admin without admin tokens, auth on)
};

// Decides from the request's `Authorization` header value (empty when
// absent): a role with tokens needs `Bearer <one of them>` (scheme
// case-insensitive, token compared in constant time). Ingest and metrics
// without tokens are open; admin without tokens is open only while no token
// of any role is configured, and forbidden otherwise (SIGHUP still reloads).
Access check_access(std::string_view authorization, const config::AuthConfig& auth, Role role);

}  // namespace ccmon::server
