// One HTTP request being answered, as route() and the adapter routes see
// it: the request, its context and responder, and the answers every
// endpoint shares (refusals, the gzip-aware body, 503 with Retry-After).
// One place for them, so that the same mistake gets the same answer on
// every endpoint (docs/ingestion.md, "Errors").
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/http_util.hpp"
#include "server/router.hpp"
#include "server/self_metrics.hpp"

namespace ccmon::server {

// A body's Content-Encoding: identity (absent) or gzip; nullopt for any
// other (RFC 9110 §8.4: answered 415).
enum class Encoding { kIdentity, kGzip };
std::optional<Encoding> content_encoding(std::string_view header);

// 503 with `Retry-After: 1` for a refusal that may succeed later
// (overloaded, state being restored or unwritable), counted as `reason`.
Response retry_later(SelfMetrics& metrics, RequestRejection reason, std::string_view code,
                     std::string_view message, unsigned version, bool keep_alive);

// Lives on route()'s stack; the references outlive it. Not thread-safe:
// used on the session's executor only (later answers go through
// responder->resume()).
struct Exchange {
  const Request& req;
  const RequestContext& rc;
  std::shared_ptr<Responder> responder;
  Target target = parse_target(req.target());
  unsigned version = req.version();
  bool keep_alive = req.keep_alive();
  bool head = req.method() == http::verb::head;

  SelfMetrics& metrics() const { return rc.server.metrics; }
  ServerContext& server() const { return rc.server; }

  Routed answer(Response res) const {
    responder->respond(std::move(res));
    return Routed::kAnswering;
  }
  Routed refuse(RequestRejection reason, http::status status, std::string_view code,
                std::string_view message) const {
    return answer(server::refuse(metrics(), reason, status, code, message, version, keep_alive));
  }
  Routed refuse_retry_later(RequestRejection reason, std::string_view code,
                            std::string_view message) const {
    return answer(retry_later(metrics(), reason, code, message, version, keep_alive));
  }
  // The request body, inflated into `inflated` when it is gzip (at most
  // limits.max_body_bytes once inflated). Nullopt once it has answered the
  // refusal: 415 for another Content-Encoding, 413 over the limit, 400 for
  // corrupt gzip. The view lives as long as the request and `inflated`.
  std::optional<std::string_view> body(std::string& inflated) const;
};

}  // namespace ccmon::server
