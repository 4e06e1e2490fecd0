#include "server/router.hpp"

#include <algorithm>
#include <boost/beast/websocket/rfc6455.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "core/codec/codec.hpp"
#include "core/exposition/rfc3339_format.hpp"
#include "core/exposition/wallboard_json.hpp"
#include "server/adapter_routes.hpp"
#include "server/auth.hpp"
#include "server/exchange.hpp"
#include "server/exposition.hpp"
#include "server/parted_body.hpp"
#include "web/assets.hpp"

namespace ccmon::server {
namespace {

Routed route_request(const Request& req, const RequestContext& rc,
                     std::shared_ptr<Responder> responder);

// RFC 9110 §9.3.2: the answer to HEAD has the headers of the GET one
// (Content-Length included) and no content, refusals too: a body after it
// would be read by a keep-alive client as the start of the next answer.
Response without_content(http::verb method, Response res) {
  if (method == http::verb::head) res.body().clear();
  return res;
}
std::optional<Response> without_content(http::verb method, std::optional<Response> res) {
  if (res) *res = without_content(method, std::move(*res));
  return res;
}

// Passes every answer to a HEAD request on without its content.
class HeadResponder final : public Responder {
 public:
  explicit HeadResponder(std::shared_ptr<Responder> inner) : inner_(std::move(inner)) {}
  void respond(Response res) override {
    inner_->respond(without_content(http::verb::head, std::move(res)));
  }
  void resume(std::function<void()> work) override { inner_->resume(std::move(work)); }

 private:
  std::shared_ptr<Responder> inner_;
};

std::optional<core::BodyFormat> body_format(std::string_view content_type) {
  const std::string type = media_type(content_type);
  if (type == "application/json" || type == "application/cloudevents+json" ||
      type == "application/cloudevents-batch+json") {
    return core::BodyFormat::kJson;
  }
  if (type == "application/x-ndjson" || type == "application/ndjson" ||
      type == "application/jsonl" || type == "application/x-jsonlines") {
    return core::BodyFormat::kNdjson;
  }
  return std::nullopt;
}

// 401 or 403 (counted) when the request's token may not call an endpoint of
// `role`, else nullopt.
std::optional<Response> access_refusal(const Request& req, const config::Config& config, Role role,
                                       const std::string& path, SelfMetrics& metrics,
                                       bool keep_alive) {
  const auto refused = check_access(req[http::field::authorization], config.auth, role);
  if (!refused) return std::nullopt;
  metrics.auth_rejected(role, *refused);
  if (*refused == AuthRefusal::kRoleClosed) {
    return json_error(http::status::forbidden, "forbidden",
                      path +
                          " is closed while authentication is on and server.auth.admin_tokens "
                          "is empty (docs/ingestion.md); SIGHUP still reloads",
                      req.version(), keep_alive);
  }
  if (*refused == AuthRefusal::kWrongRole) {
    std::string message = "the token is valid but not for the ";
    message += to_string(role);
    message += " role that ";
    message += path;
    message += " needs (docs/ingestion.md, \"Authentication\")";
    return json_error(http::status::forbidden, "forbidden", message, req.version(), keep_alive);
  }
  auto res = json_error(http::status::unauthorized, "unauthorized",
                        "a valid `Authorization: Bearer <token>` header is required", req.version(),
                        keep_alive);
  // RFC 6750 §3: the challenge; invalid_token when one was sent.
  res.set(http::field::www_authenticate, *refused == AuthRefusal::kUnknownToken
                                             ? "Bearer realm=\"ccmon\", error=\"invalid_token\""
                                             : "Bearer realm=\"ccmon\"");
  return res;
}

// The endpoints and the methods each answers, in one place for route() and
// screen_header(): `allow` is the Allow header of a 405.
// The WebSocket endpoints take any method here; route() answers 426 to a
// request that is not an upgrade.
struct Endpoint {
  std::string_view allow;
  bool (*accepts)(http::verb);
};
bool is_get(http::verb m) {
  return m == http::verb::get || m == http::verb::head;
}
std::optional<Endpoint> endpoint_of(const std::string& path) {
  if (path == "/v1/events" || is_adapter_path(path)) {
    return Endpoint{"POST", [](http::verb m) { return m == http::verb::post; }};
  }
  if (path == "/v1/stream" || path == "/v1/live") {
    return Endpoint{"GET", [](http::verb) { return true; }};
  }
  if (path == "/-/reload") {
    return Endpoint{"POST",
                    [](http::verb m) { return m == http::verb::post || m == http::verb::put; }};
  }
  if (path == "/metrics" || path == "/v1/kpis" || path == "/v1/agents" || path == "/v1/intervals" ||
      path == "/-/healthy" || path == "/-/ready" || path == "/" || path.starts_with("/assets/")) {
    return Endpoint{"GET", is_get};
  }
  return std::nullopt;
}

// 404 for no such endpoint, 405 for a method it does not answer; nullopt
// when the request is for an endpoint.
std::optional<Response> endpoint_refusal(const Request& req, const std::string& path,
                                         SelfMetrics& metrics, bool keep_alive) {
  const auto endpoint = endpoint_of(path);
  if (!endpoint) {
    return refuse(metrics, RequestRejection::kNotFound, http::status::not_found, "not_found",
                  "no such endpoint: " + path, req.version(), keep_alive);
  }
  if (endpoint->accepts(req.method())) return std::nullopt;
  auto res = refuse(metrics, RequestRejection::kMethodNotAllowed, http::status::method_not_allowed,
                    "method_not_allowed", "use " + std::string(endpoint->allow) + " for " + path,
                    req.version(), keep_alive);
  res.set(http::field::allow, endpoint->allow);
  return res;
}

// The role a request needs when route() would check its token; nullopt
// when route() answers otherwise (404, 405, 426, open endpoints), so that
// screening the header never changes the answer, only when it is sent.
std::optional<Role> screened_role(const std::string& path, http::verb method) {
  const bool get = method == http::verb::get || method == http::verb::head;
  if ((path == "/v1/events" || path == kQueueLogPath) && method == http::verb::post) {
    return Role::kIngest;
  }
  if (path == "/-/reload" && (method == http::verb::post || method == http::verb::put)) {
    return Role::kAdmin;
  }
  if ((path == "/metrics" || path == "/v1/kpis" || path == "/v1/agents" ||
       path == "/v1/intervals") &&
      get) {
    return Role::kRead;
  }
  return std::nullopt;
}

// Nullopt when `role` may call the endpoint, else the refusal sent.
std::optional<Routed> deny(const Exchange& x, Role role) {
  auto res = access_refusal(x.req, *x.rc.config, role, x.target.path, x.metrics(), x.keep_alive);
  if (!res) return std::nullopt;
  return x.answer(std::move(*res));
}
Routed upgrade_required(const Exchange& x) {
  auto res = server::refuse(x.metrics(), RequestRejection::kUpgradeRequired,
                            http::status::upgrade_required, "upgrade_required",
                            x.target.path + " is a WebSocket endpoint", x.version, false);
  res.set(http::field::upgrade, "websocket");
  return x.answer(std::move(res));
}
// GET and HEAD answers: HEAD keeps the headers (Content-Length included).
Routed answer_get(const Exchange& x, Response res) {
  if (x.head) res.body().clear();
  return x.answer(std::move(res));
}

// The body's one answer once its events are applied (all its parts).
PartedBody::Answer ingest_answer(const Exchange& x) {
  return [responder = x.responder, version = x.version, keep_alive = x.keep_alive,
          metrics = &x.metrics()](const BatchResult& result, const core::DecodedBatch& decoded) {
    auto reply =
        std::make_shared<const std::pair<BatchResult, core::DecodedBatch>>(result, decoded);
    responder->resume([responder, version, keep_alive, metrics, reply] {
      const auto& [applied, rejections] = *reply;
      if (applied.internal_error) return responder->respond(internal_error(*metrics, version));
      if (applied.state_unavailable) {
        // Not all of the body is known to be applied and on disk: resend it
        // whole; what was applied is answered as duplicates then
        // (docs/ingestion.md, "Acknowledgements").
        return responder->respond(
            retry_later(*metrics, RequestRejection::kStateUnavailable, "state_unavailable",
                        "the events cannot be stored (disk full or failing); retry later", version,
                        keep_alive));
      }
      responder->respond(json_response(http::status::ok,
                                       ingest_reply_json(applied, rejections, std::nullopt),
                                       version, keep_alive));
    });
  };
}

// NDJSON: each part goes to the engine as soon as it is decoded (large bodies
// apply while the rest decodes; docs/ingestion.md, "Large bodies"). Room for
// every line is reserved first, so that a body is refused whole or not at all.
Routed ingest_ndjson(const Exchange& x, std::string_view body, core::Timestamp now) {
  EngineService& engine = x.rc.server.runner;
  const std::size_t room = core::ndjson_line_bound(body);
  if (!engine.admission().try_admit(room)) {
    return x.refuse_retry_later(RequestRejection::kOverloaded, "overloaded",
                                "too many events in flight; retry later");
  }
  // What the engine was not handed (blank and rejected lines) is returned
  // at the end, or when decoding or submitting throws (out of memory): then
  // route() answers 500, and the body is never sealed, so the parts already
  // submitted are applied but answer nothing more.
  struct Unused {
    Admission& admission;
    std::size_t room;
    ~Unused() { admission.release(room); }
  } unused{engine.admission(), room};
  auto parted =
      std::make_shared<PartedBody>(x.rc.decoder.options().max_rejection_details, ingest_answer(x));
  core::NdjsonCursor cursor;
  bool more_parts = false;  // the last batch submitted said another would follow
  const auto fence = std::make_shared<bool>(false);  // a refused part refuses the later ones
  while (!cursor.at_end(body)) {
    core::DecodedBatch part = x.rc.decoder.decode_ndjson_part(
        body, cursor, kIngestPartLines, now,
        engine.reusable_events(std::min(kIngestPartLines, unused.room)));
    x.metrics().decoded(Transport::kHttp, part);
    const std::size_t n = part.events.size();
    parted->add_part(part, n != 0);
    if (n == 0) continue;
    Batch batch{Transport::kHttp, std::move(part.events), now, n};
    more_parts = batch.more_parts = !cursor.at_end(body);
    batch.order_fence = fence;
    engine.submit(std::move(batch), [parted](BatchResult result) { parted->applied(result); });
    unused.room -= n;  // the engine releases it once applied
  }
  if (more_parts) engine.end_parts();
  parted->sealed();
  return Routed::kAnswering;
}

Routed ingest(const Exchange& x) {
  const auto format = body_format(x.req[http::field::content_type]);
  if (!format) {
    return x.refuse(RequestRejection::kUnsupportedMediaType, http::status::unsupported_media_type,
                    "unsupported_media_type",
                    "Content-Type must be application/json or application/x-ndjson, not `" +
                        std::string(x.req[http::field::content_type]) + "`");
  }
  std::string inflated;
  const auto body = x.body(inflated);
  if (!body) return Routed::kAnswering;
  EngineService& engine = x.rc.server.runner;
  if (!engine.state_ready()) {
    return x.refuse_retry_later(RequestRejection::kStateUnavailable, "state_unavailable",
                                "the state is being restored; retry later");
  }
  const core::Timestamp now = engine.wall_now();
  if (*format == core::BodyFormat::kNdjson) return ingest_ndjson(x, *body, now);
  core::DecodedBatch decoded = x.rc.decoder.decode(*body, *format, now);
  inflated = std::string{};  // the events own their text now
  if (decoded.unreadable) {
    return x.refuse(RequestRejection::kUnreadable, http::status::bad_request,
                    core::to_string(decoded.unreadable_reason), decoded.unreadable_message);
  }
  const std::size_t n = decoded.events.size();
  if (n != 0 && !engine.admission().try_admit(n)) {
    return x.refuse_retry_later(RequestRejection::kOverloaded, "overloaded",
                                "too many events in flight; retry later");
  }
  x.metrics().decoded(Transport::kHttp, decoded);
  auto parted =
      std::make_shared<PartedBody>(x.rc.decoder.options().max_rejection_details, ingest_answer(x));
  parted->add_part(decoded, n != 0);
  if (n != 0) {
    engine.submit(Batch{Transport::kHttp, std::move(decoded.events), now, n},
                  [parted](BatchResult result) { parted->applied(result); });
  }
  parted->sealed();
  return Routed::kAnswering;
}

Routed scrape(const Exchange& x, bool json) {
  x.rc.server.runner.request_view([responder = x.responder, metrics = &x.metrics(), json,
                                   head = x.head, version = x.version, keep_alive = x.keep_alive,
                                   query = x.target.query](std::shared_ptr<const View> view) {
    responder->resume([=] {
      Response res;
      const auto w = query.find("window");
      const auto& windows = view->snapshot->windows;
      if (json && w != query.end() && !w->second.empty() &&
          std::find(windows.begin(), windows.end(), w->second) == windows.end()) {
        // A window that is not configured is a mistake in the query, not
        // an empty answer.
        res = refuse(*metrics, RequestRejection::kInvalidQuery, http::status::bad_request,
                     "unknown_window", "no window `" + w->second + "` is configured", version,
                     keep_alive);
      } else if (json) {
        res = json_response(http::status::ok, render_kpis_json(*view, query), version, keep_alive);
      } else {
        res = text_response(http::status::ok, render_metrics_text(*view, metrics->registry()),
                            "text/plain; version=0.0.4; charset=utf-8", version, keep_alive);
      }
      if (head) res.body().clear();
      responder->respond(std::move(res));
    });
  });
  return Routed::kAnswering;
}

// /v1/agents and /v1/intervals (docs/wallboard.md): parameters are checked
// before the view is asked for, so a bad one costs no engine work.
Routed wallboard(const Exchange& x, bool agents) {
  const auto& query = x.target.query;
  auto get = [&](const char* key) -> std::optional<std::string> {
    const auto it = query.find(key);
    if (it == query.end()) return std::nullopt;
    return it->second;
  };
  core::AgentQuery agent_query;
  std::optional<std::string> interval;
  if (agents) {
    agent_query.team = get("team").value_or("");
    agent_query.after = get("after").value_or("");
    if (const auto limit = get("limit")) {
      const std::string& text = *limit;
      std::size_t n = 0;
      bool ok = !text.empty() && text.size() <= 6 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (ok) n = std::stoul(text);
      if (!ok || n < 1 || n > core::kAgentPageMax) {
        return x.refuse(RequestRejection::kInvalidQuery, http::status::bad_request, "bad_limit",
                        "limit must be an integer from 1 to " +
                            std::to_string(core::kAgentPageMax) + ", not `" + text + "`");
      }
      agent_query.limit = n;
    }
  } else {
    interval = get("interval");
  }
  x.rc.server.runner.request_view(
      [responder = x.responder, metrics = &x.metrics(), agents, head = x.head, version = x.version,
       keep_alive = x.keep_alive, agent_query, interval, queue = get("queue").value_or(""),
       channel = get("channel").value_or("")](std::shared_ptr<const View> view) {
        responder->resume([=] {
          const core::Snapshot& snap = *view->snapshot;
          nlohmann::json body;
          body["now"] = core::format_rfc3339(snap.now);
          if (agents) {
            body.update(core::agents_page_json(snap, agent_query));
          } else {
            const core::Duration configured = snap.intervals.default_length;
            core::Duration length = configured;
            if (interval) {
              const auto parsed = core::interval_length(*interval, configured);
              if (!parsed) {
                const bool is30 = configured == core::minutes(30);
                auto res = refuse(*metrics, RequestRejection::kInvalidQuery,
                                  http::status::bad_request, "unknown_interval",
                                  "interval must be " +
                                      std::string(is30 ? "30m or 60m" : "15m, 30m or 60m") +
                                      " (the configured kpis.interval or a multiple of it that "
                                      "divides an hour), not `" +
                                      *interval + "`",
                                  version, keep_alive);
                if (head) res.body().clear();
                return responder->respond(std::move(res));
              }
              length = *parsed;
            }
            body.update(core::intervals_json(snap, length, queue, channel));
          }
          Response res = json_response(
              http::status::ok, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
              version, keep_alive);
          if (head) res.body().clear();
          responder->respond(std::move(res));
        });
      });
  return Routed::kAnswering;
}

Routed reload(const Exchange& x) {
  if (!x.rc.server.reload) {
    return x.answer(json_error(http::status::service_unavailable, "not_ready",
                               "ccmond is still starting", x.version, x.keep_alive));
  }
  x.rc.server.reload([responder = x.responder, version = x.version,
                      keep_alive = x.keep_alive](ReloadOutcome outcome) {
    responder->resume([responder, version, keep_alive, outcome] {
      // A refused configuration is counted in ccmon_config_reloads_total.
      responder->respond(
          outcome.ok ? json_response(
                           http::status::ok,
                           nlohmann::json{{"status", "reloaded"}, {"config", outcome.message}}.dump(
                               -1, ' ', false, nlohmann::json::error_handler_t::replace),
                           version, keep_alive)
                     : json_error(http::status::internal_server_error, "reload_failed",
                                  outcome.message, version, keep_alive));
    });
  });
  return Routed::kAnswering;
}

// The page's own policy, the same as the <meta http-equiv> in
// web/page/index.html (router_test checks they agree): sent as a header too,
// so it also covers the assets and cannot be weakened by an injected tag.
constexpr std::string_view kPageSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'";

// True when an If-None-Match value ("*" or a comma-separated list of entity
// tags, weak ones included: RFC 9110 §13.1.2 compares weakly) names `etag`.
bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    std::string_view tag = if_none_match.substr(0, comma);
    if_none_match =
        comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

// The wallboard's page and assets (docs/wallboard.md, "Assets in the
// binary"): no token, since they hold no data.
Routed asset(const Exchange& x) {
  const auto found = web::find_asset(x.target.path);
  if (!found) {
    return x.refuse(RequestRejection::kNotFound, http::status::not_found, "not_found",
                    "no such asset: " + x.target.path);
  }
  const bool unchanged = etag_matches(x.req[http::field::if_none_match], found->etag);
  Response res = text_response(unchanged ? http::status::not_modified : http::status::ok,
                               unchanged ? std::string{} : std::string(found->body),
                               found->content_type, x.version, x.keep_alive);
  if (unchanged) res.erase(http::field::content_length);
  res.set(http::field::etag, found->etag);
  res.set(http::field::cache_control, "no-cache");
  res.set("Content-Security-Policy", kPageSecurityPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  return answer_get(x, std::move(res));
}

}  // namespace

Response refuse(SelfMetrics& metrics, RequestRejection reason, http::status status,
                std::string_view code, std::string_view message, unsigned version,
                bool keep_alive) {
  metrics.request_rejected(reason);
  return json_error(status, code, message, version, keep_alive);
}

namespace {
std::optional<Response> probes_only_refusal(const Request& req, Lane lane, SelfMetrics& metrics) {
  const std::string path = parse_target(req.target()).path;
  const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
  if (get && (path == "/metrics" || path == "/-/ready" || path == "/-/healthy")) {
    return std::nullopt;
  }
  if (lane == Lane::kMetrics) {
    return refuse(metrics, RequestRejection::kNotFound, http::status::not_found, "not_found",
                  "this listener (server.metrics_listen) serves only GET /metrics, /-/ready and "
                  "/-/healthy",
                  req.version(), false);
  }
  return retry_later(metrics, RequestRejection::kConnectionLimit, "connection_limit",
                     "all connections are in use; this one may only serve GET /metrics, "
                     "/-/ready or /-/healthy; retry later",
                     req.version(), false);
}

std::optional<Response> header_refusal(const Request& req, const config::Config& config,
                                       SelfMetrics& metrics) {
  const std::string path = parse_target(req.target()).path;
  // 404 and 405 do not depend on the body: when there is one, answer before
  // reading it (and close, since it stays unread). Without one, route()
  // answers them and the connection stays open.
  const bool has_body =
      req.chunked() || (req.has_content_length() && req[http::field::content_length] != "0");
  if (has_body) {
    if (auto res = endpoint_refusal(req, path, metrics, false)) return res;
  }
  const auto role = screened_role(path, req.method());
  if (role) {
    if (auto res = access_refusal(req, config, *role, path, metrics, false)) return res;
  }
  if (role == Role::kIngest && !content_encoding(req[http::field::content_encoding])) {
    return refuse(metrics, RequestRejection::kUnsupportedMediaType,
                  http::status::unsupported_media_type, "unsupported_media_type",
                  "Content-Encoding must be gzip or identity, not `" +
                      std::string(req[http::field::content_encoding]) + "`",
                  req.version(), false);
  }
  return std::nullopt;
}

}  // namespace

std::optional<Response> screen_probes_only(const Request& req, Lane lane, SelfMetrics& metrics) {
  return without_content(req.method(), probes_only_refusal(req, lane, metrics));
}

std::optional<Response> screen_header(const Request& req, const config::Config& config,
                                      SelfMetrics& metrics) {
  return without_content(req.method(), header_refusal(req, config, metrics));
}

std::string live_credential(const Request& req, const config::AuthConfig& auth) {
  std::string header(req[http::field::authorization]);
  const auto query = parse_target(req.target()).query;
  const auto token = query.find("token");
  if (token == query.end()) return header;
  std::string from_query = "Bearer ";
  from_query += token->second;
  // A header a proxy added (its own Basic credentials) must not hide the
  // token of the URL, nor the other way round: the one that opens it.
  if (!header.empty() && !check_access(header, auth, Role::kRead)) return header;
  return from_query;
}

Response internal_error(SelfMetrics& metrics, unsigned version) {
  return refuse(metrics, RequestRejection::kInternalError, http::status::internal_server_error,
                "internal_error", "the request could not be served; the daemon goes on", version,
                false);
}

Routed route(const Request& req, const RequestContext& rc, std::shared_ptr<Responder> responder) {
  if (req.method() == http::verb::head) {
    responder = std::make_shared<HeadResponder>(std::move(responder));
  }
  try {
    return route_request(req, rc, responder);
  } catch (const std::exception&) {
    // std::bad_alloc above all: this request fails, the process goes on.
    responder->respond(internal_error(rc.server.metrics, req.version()));
    return Routed::kAnswering;
  }
}

namespace {

Routed route_request(const Request& req, const RequestContext& rc,
                     std::shared_ptr<Responder> responder) {
  const Exchange x{req, rc, std::move(responder)};
  const std::string& path = x.target.path;
  if (auto refusal = endpoint_refusal(req, path, x.metrics(), x.keep_alive)) {
    return x.answer(std::move(*refusal));
  }

  if (path == "/v1/events") {
    if (auto denied = deny(x, Role::kIngest)) return *denied;
    return ingest(x);
  }
  if (is_adapter_path(path)) {
    // queue_log lines come with the ordinary ingest token; the other
    // adapters check their platform's credential (adapter_routes.cpp).
    if (path == kQueueLogPath) {
      if (auto denied = deny(x, Role::kIngest)) return *denied;
    }
    return route_adapter(req, rc, x.responder);
  }
  if (path == "/v1/stream") {
    if (!boost::beast::websocket::is_upgrade(req)) return upgrade_required(x);
    if (auto denied = deny(x, Role::kIngest)) return *denied;
    return Routed::kUpgrade;
  }
  if (path == "/v1/live") {
    if (!boost::beast::websocket::is_upgrade(req)) return upgrade_required(x);
    // Browsers cannot set headers on a WebSocket: the read token may also
    // come as ?token= (docs/wallboard.md). A refusal is a close code
    // (4401, 4403) the session sends after the handshake.
    const auto refused =
        check_access(live_credential(req, rc.config->auth), rc.config->auth, Role::kRead);
    if (!refused) return Routed::kLive;
    x.metrics().auth_rejected(Role::kRead, *refused);
    return Routed::kLiveRefused;
  }
  if (path == "/metrics" || path == "/v1/kpis") {
    if (auto denied = deny(x, Role::kRead)) return *denied;
    return scrape(x, path == "/v1/kpis");
  }
  if (path == "/v1/agents" || path == "/v1/intervals") {
    if (auto denied = deny(x, Role::kRead)) return *denied;
    return wallboard(x, path == "/v1/agents");
  }
  if (path == "/-/healthy") {
    return answer_get(x, text_response(http::status::ok, "ccmond is healthy.\n", "text/plain",
                                       x.version, x.keep_alive));
  }
  if (path == "/-/ready") {
    const bool ready = rc.server.ready && !rc.server.stopping && rc.server.runner.state_ready();
    return answer_get(x, text_response(ready ? http::status::ok : http::status::service_unavailable,
                                       (ready ? "ccmond is ready.\n" : "ccmond is not ready.\n") +
                                           rc.server.kafka_partitions.describe(),
                                       "text/plain", x.version, x.keep_alive));
  }
  if (path == "/-/reload") {
    if (auto denied = deny(x, Role::kAdmin)) return *denied;
    return reload(x);
  }
  if (path == "/" || path.starts_with("/assets/")) {
    return asset(x);
  }
  return x.answer(internal_error(x.metrics(), x.version));  // endpoint_of() and this disagree
}

}  // namespace

std::optional<Response> read_error_response(boost::beast::error_code ec,
                                            const config::Config& config, SelfMetrics& metrics) {
  // The stream is out of sync after any of these: answer, then close.
  if (ec == http::error::body_limit) {
    return refuse(metrics, RequestRejection::kBodyTooLarge, http::status::payload_too_large,
                  "too_large",
                  "request body is over the limit of " +
                      std::to_string(config.limits.max_body_bytes) + " bytes",
                  11, false);
  }
  if (ec == http::error::header_limit) {
    return refuse(
        metrics, RequestRejection::kHeadersTooLarge, http::status::request_header_fields_too_large,
        "too_large",
        "request line and headers are over " + std::to_string(kHeaderLimit / 1024) + " KiB", 11,
        false);
  }
  // The peer closed between or inside requests: nobody to answer.
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
  if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
    return refuse(metrics, RequestRejection::kMalformedRequest, http::status::bad_request,
                  "bad_request", "malformed HTTP request: " + ec.message(), 11, false);
  }
  return std::nullopt;
}

}  // namespace ccmon::server
