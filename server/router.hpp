// Every HTTP endpoint's behaviour — status codes, authentication, content
// types, error answers, refusal counting — decided from a complete request
// without touching a socket, after the handle_request of Beast's advanced
// server example. The sessions only read requests, pass them here and write
// what comes back; tests call route() directly (tests/server/router_test.cpp).
// To add an endpoint: one branch in route() and its tests.
#pragma once

#include <boost/beast/core/error.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "config/config.hpp"
#include "core/codec/codec.hpp"
#include "server/http_util.hpp"
#include "server/self_metrics.hpp"
#include "server/server_context.hpp"

namespace ccmon::server {

// How a routed request is answered. HttpSession implements it on its strand.
class Responder {
 public:
  virtual ~Responder() = default;
  // Sends the answer to the routed request. Called exactly once per request
  // when route() returned kAnswering, never for the upgrades (kUpgrade, kLive,
  // kLiveRefused: the WebSocket session answers), always on the session's
  // executor: inline from route() or from a resume()d function.
  virtual void respond(Response res) = 0;
  // Runs `work` on the session's executor. Callbacks from the engine and
  // reload threads hop back with it before rendering or answering, so those
  // threads are never held up by an answer.
  virtual void resume(std::function<void()> work) = 0;
};

struct RequestContext {
  ServerContext& server;
  std::shared_ptr<const config::Config> config;  // the configuration this request is served with
  core::Decoder& decoder;                        // built from config->codec
};

enum class Routed {
  kAnswering,    // respond() has been or will be called
  kUpgrade,      // an authorised WebSocket upgrade of /v1/stream: the caller hands it over
  kLive,         // an authorised upgrade of /v1/live: the caller hands it to a LiveSession
  kLiveRefused,  // an upgrade of /v1/live with a refused token (counted): accept, close 4401/4403
};

// Routes one complete request (behaviour documented in docs/ingestion.md and
// docs/api-kpis.md). Errors are `{"error": code, "message": text}`; every
// refusal is counted in ccmon_requests_rejected_total by reason
// (docs/metrics.md). Every answer to HEAD, refusals included, has the
// headers of the GET one and no content (RFC 9110 §9.3.2). An exception
// while routing is answered with internal_error(), never let out.
Routed route(const Request& req, const RequestContext& rc, std::shared_ptr<Responder> responder);

// The answer to a request the parser gave up on: 413 (body over the limit),
// 431 (headers over kHeaderLimit), 400 (not HTTP); nullopt when nothing is to
// be answered (the peer left or stalled) and the connection just closes.
// Counts the refusals it answers.
std::optional<Response> read_error_response(boost::beast::error_code ec,
                                            const config::Config& config, SelfMetrics& metrics);

// Decides on a request from its header alone, before its body is read: the
// refusal route() would give (401/403 for a token the endpoint's role does
// not accept, 415 for a Content-Encoding other than gzip or identity on
// POST /v1/events, and, when the request has a body, 404 for no such
// endpoint and 405 for a method the endpoint does not answer), counted and
// marked to close, or nullopt to go on reading. An unauthenticated client
// thus never has its body buffered, and `Expect: 100-continue` is answered
// only after this check. To HEAD, without content, as route().
std::optional<Response> screen_header(const Request& req, const config::Config& config,
                                      SelfMetrics& metrics);

// The credential a /v1/live upgrade presents, as an `Authorization` value
// (docs/wallboard.md): browsers cannot set headers on a WebSocket, so the
// read token may come as `?token=`. With both, the one check_access accepts
// for the read role under `auth` (the header first); with neither, "".
std::string live_credential(const Request& req, const config::AuthConfig& auth);

// What a connection on a probes-only lane (docs/security.md, "Connections")
// may ask: nullopt for GET or HEAD of /metrics, /-/ready or /-/healthy
// (routed as usual, tokens included). Any other request is refused from its
// header, counted: on the probe reserve 503 `connection_limit` with
// Retry-After (it may succeed later); on the metrics listener 404
// `not_found` (it never will there); to HEAD without content. `lane` is
// kReserve or kMetrics.
std::optional<Response> screen_probes_only(const Request& req, Lane lane, SelfMetrics& metrics);

// 500 internal_error, counted, closing the connection: what a request gets
// when serving it threw (std::bad_alloc above all). Only that request fails.
Response internal_error(SelfMetrics& metrics, unsigned version);

// Largest request line + headers accepted (bytes); more gets 431.
inline constexpr std::size_t kHeaderLimit = 16 * 1024;

// Counts the refusal `reason` and builds its error answer.
Response refuse(SelfMetrics& metrics, RequestRejection reason, http::status status,
                std::string_view code, std::string_view message, unsigned version, bool keep_alive);

}  // namespace ccmon::server
