// Every endpoint's answer — status, headers, content type, error body — and
// the refusal it counts, decided by route() without a socket.
#include "server/router.hpp"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <new>
#include <nlohmann/json.hpp>

#include "server/self_metrics.hpp"
#include "server/session_decoder.hpp"
#include "server_test_support.hpp"
#include "web/assets.hpp"

namespace ccmon::server {
namespace {

using test::config_from;
using test::FakeEngine;
using test::Recorder;
using test::sample;

struct Answer {
  Routed routed;
  std::optional<Response> res;  // absent for an upgrade
  std::size_t resumed = 0;      // hops back to the session before answering
};

struct Fixture {
  explicit Fixture(const std::string& yaml = "") : config(config_from(yaml)) {
    ctx = std::make_shared<ServerContext>(config, metrics, engine);
    ctx->ready = true;
    ctx->reload = [this](std::function<void(ReloadOutcome)> done) {
      ++reloads;
      done(reload_outcome);
    };
  }

  Answer call(Request req) {
    req.prepare_payload();
    auto recorder = std::make_shared<Recorder>();
    const RequestContext rc{*ctx, config, decoder.for_config(config)};
    Answer a{route(req, rc, recorder), std::nullopt, recorder->resumed.size()};
    recorder->run_resumed();
    REQUIRE(recorder->responses.size() <= 1);
    if (!recorder->responses.empty()) a.res = std::move(recorder->responses.front());
    return a;
  }

  double rejected(const std::string& reason) {
    return sample(metrics.registry(), "ccmon_requests_rejected_total", {{"reason", reason}})
        .value_or(-1);
  }
  double received_http() {
    return sample(metrics.registry(), "ccmon_events_received_total", {{"transport", "http"}})
        .value_or(-1);
  }

  SelfMetrics metrics{"test"};
  FakeEngine engine;
  std::shared_ptr<const config::Config> config;
  std::shared_ptr<ServerContext> ctx;
  SessionDecoder decoder;
  int reloads = 0;
  ReloadOutcome reload_outcome{true, "test.yml"};
};

Request request(http::verb method, std::string target, std::string token = {}) {
  Request req{method, target, 11};
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  return req;
}

Request post_events(std::string body, std::string content_type, std::string token = {}) {
  Request req = request(http::verb::post, "/v1/events", std::move(token));
  req.set(http::field::content_type, content_type);
  req.body() = std::move(body);
  return req;
}

nlohmann::json body_of(const Response& res) {
  return nlohmann::json::parse(res.body());
}

// Two valid contact.queued events (events.md), distinct ids.
const std::string kTwoEvents =
    R"({"id":"e1","type":"contact.queued","time":1700000000,"contact":"c1","queue":"sales","channel":"voice"})"
    "\n"
    R"({"id":"e2","type":"contact.queued","time":1700000000,"contact":"c2","queue":"sales","channel":"voice"})"
    "\n";

// `n` NDJSON lines, each a valid contact.queued with id e0, e1, ...
std::string queued_lines(int n) {
  std::string body;
  for (int i = 0; i < n; ++i) {
    body +=
        R"({"id":"e)" + std::to_string(i) +
        R"(","type":"contact.queued","time":1700000000,"contact":"c1","queue":"q","channel":"voice"})"
        "\n";
  }
  return body;
}

void check_error(const Answer& a, http::status status, const std::string& code) {
  REQUIRE(a.res);
  CHECK(a.res->result() == status);
  CHECK((*a.res)[http::field::content_type] == "application/json");
  const auto body = body_of(*a.res);
  CHECK(body.at("error") == code);
  CHECK_FALSE(body.at("message").get<std::string>().empty());
}

TEST_CASE("POST /v1/events answers once the engine applied the events", "[server][router]") {
  Fixture f;
  const Answer a = f.call(post_events(kTwoEvents, "application/x-ndjson"));
  CHECK(a.routed == Routed::kAnswering);
  // The engine's callback hops back to the session before answering.
  CHECK(a.resumed == 1);
  REQUIRE(a.res);
  CHECK(a.res->result() == http::status::ok);
  CHECK((*a.res)[http::field::content_type] == "application/json");
  CHECK(body_of(*a.res) == nlohmann::json::parse(R"({"accepted":2,"duplicates":0,"rejected":[]})"));
  REQUIRE(f.engine.batches.size() == 1);
  CHECK(f.engine.batches[0].events.size() == 2);
  CHECK(f.engine.batches[0].admitted == 2);
  CHECK_FALSE(f.engine.batches[0].more_parts);  // one part: its record is synced at once
  CHECK(f.received_http() == 2);
}

TEST_CASE("a body with invalid events is answered 200 with each rejection", "[server][router]") {
  Fixture f;
  // Line 0 valid, line 1 not JSON: one accepted, one rejected at index 1.
  const std::string body =
      R"({"id":"e1","type":"contact.queued","time":1700000000,"contact":"c1","queue":"q","channel":"voice"})"
      "\n{not json\n";
  const Answer a = f.call(post_events(body, "application/x-ndjson; charset=utf-8"));
  REQUIRE(a.res);
  CHECK(a.res->result() == http::status::ok);
  const auto reply = body_of(*a.res);
  CHECK(reply.at("accepted") == 1);
  REQUIRE(reply.at("rejected").size() == 1);
  CHECK(reply.at("rejected")[0].at("index") == 1);
  CHECK(reply.at("rejected")[0].at("reason") == "invalid_json");
  CHECK(f.received_http() == 2);  // one valid + one invalid
  CHECK(sample(f.metrics.registry(), "ccmon_events_rejected_total", {{"reason", "invalid_json"}}) ==
        1);
}

TEST_CASE("a body of only invalid events never reaches the engine", "[server][router]") {
  Fixture f;
  const Answer a = f.call(post_events("{not json\n", "application/x-ndjson"));
  REQUIRE(a.res);
  CHECK(a.resumed == 1);  // answered on the session, as every body
  CHECK(body_of(*a.res).at("accepted") == 0);
  CHECK(f.engine.batches.empty());
  CHECK(f.received_http() == 1);
}

TEST_CASE("a large NDJSON body reaches the engine in parts and gets one answer",
          "[server][router]") {
  Fixture f;
  // 1,201 lines (the last without a newline); not objects at 3, 700 and 1200.
  std::string body;
  for (int i = 0; i <= 1200; ++i) {
    if (i == 3 || i == 700 || i == 1200) {
      body += "1";
    } else {
      body +=
          R"({"id":"e)" + std::to_string(i) +
          R"(","type":"contact.queued","time":1700000000,"contact":"c1","queue":"q","channel":"voice"})";
    }
    if (i != 1200) body += '\n';
  }
  const Answer a = f.call(post_events(body, "application/x-ndjson"));
  REQUIRE(a.res);
  CHECK(a.resumed == 1);
  const auto reply = body_of(*a.res);
  CHECK(reply.at("accepted") == 1198);
  REQUIRE(reply.at("rejected").size() == 3);
  CHECK(reply.at("rejected")[0].at("index") == 3);
  CHECK(reply.at("rejected")[1].at("index") == 700);
  CHECK(reply.at("rejected")[2].at("index") == 1200);
  // Lines 0-499, 500-999, 1000-1200, each less its rejected line.
  REQUIRE(f.engine.batches.size() == 3);
  CHECK(f.engine.batches[0].events.size() == 499);
  CHECK(f.engine.batches[1].events.size() == 499);
  CHECK(f.engine.batches[2].events.size() == 200);
  CHECK(f.engine.batches[1].events.front().index == 500);
  CHECK(f.engine.batches[1].events.front().event.id == "e500");
  CHECK(f.engine.batches[2].events.back().event.id == "e1199");
  // Only the last part lets the journal sync (store::Journal::Sync).
  CHECK(f.engine.batches[0].more_parts);
  CHECK(f.engine.batches[1].more_parts);
  CHECK_FALSE(f.engine.batches[2].more_parts);
  CHECK(f.engine.ended_parts == 0);
  CHECK(f.engine.admission().in_flight() == 0);  // every line's room returned
  CHECK(f.received_http() == 1201);
  // The parts share one order fence: a refused part refuses the later ones.
  REQUIRE(f.engine.batches[0].order_fence);
  CHECK(f.engine.batches[1].order_fence == f.engine.batches[0].order_fence);
  CHECK(f.engine.batches[2].order_fence == f.engine.batches[0].order_fence);
  // Another body is another stream.
  f.call(post_events(R"({"id":"x1","type":"contact.queued","time":1700000000,"contact":"c2",)"
                     R"("queue":"q","channel":"voice"})",
                     "application/x-ndjson"));
  REQUIRE(f.engine.batches.size() == 4);
  CHECK(f.engine.batches[3].order_fence);
  CHECK(f.engine.batches[3].order_fence != f.engine.batches[0].order_fence);
}

TEST_CASE("a large body whose last part is all rejected ends its parts for the journal",
          "[server][router]") {
  Fixture f;
  // 500 good lines, then a part of two lines that are not objects.
  const std::string body = queued_lines(500) + "1\n2\n";
  const Answer a = f.call(post_events(body, "application/x-ndjson"));
  REQUIRE(a.res);
  CHECK(body_of(*a.res).at("accepted") == 500);
  REQUIRE(f.engine.batches.size() == 1);
  CHECK(f.engine.batches[0].more_parts);  // submitted before its rejected successor was read
  CHECK(f.engine.ended_parts == 1);       // so the engine is told there is none
}

TEST_CASE("ingest refusals: 400, 415, 405, 503", "[server][router]") {
  Fixture f;
  SECTION("a JSON body that is not JSON is unreadable") {
    const Answer a = f.call(post_events("[{\"id\": ", "application/json"));
    check_error(a, http::status::bad_request, "invalid_json");
    CHECK(f.rejected("unreadable") == 1);
    CHECK(f.received_http() == 0);
  }
  SECTION("another content type") {
    const Answer a = f.call(post_events(kTwoEvents, "text/plain"));
    check_error(a, http::status::unsupported_media_type, "unsupported_media_type");
    CHECK(f.rejected("unsupported_media_type") == 1);
    CHECK(f.engine.batches.empty());
  }
  SECTION("GET on the ingest endpoint") {
    const Answer a = f.call(request(http::verb::get, "/v1/events"));
    check_error(a, http::status::method_not_allowed, "method_not_allowed");
    CHECK((*a.res)[http::field::allow] == "POST");
    CHECK(f.rejected("method_not_allowed") == 1);
  }
  SECTION("no room in flight: 503, nothing received, nothing applied") {
    REQUIRE(f.engine.admission().try_admit(1000));  // the fake's whole budget
    const Answer a = f.call(post_events(kTwoEvents, "application/x-ndjson"));
    check_error(a, http::status::service_unavailable, "overloaded");
    CHECK((*a.res)[http::field::retry_after] == "1");
    CHECK(f.rejected("overloaded") == 1);
    // Received counts what was admitted, on both transports alike.
    CHECK(f.received_http() == 0);
    CHECK(f.engine.batches.empty());
    CHECK(f.engine.admission().in_flight() == 1000);
  }
}

TEST_CASE("tokens: 401 for a missing or unknown one, 403 for another role's",
          "[server][router][auth]") {
  Fixture f(
      "server:\n  auth:\n    ingest_tokens: [ing]\n    metrics_tokens: [met]\n    admin_tokens: "
      "[adm]\n");
  auto auth_rejected = [&](const std::string& role, const std::string& reason) {
    return sample(f.metrics.registry(), "ccmon_auth_rejected_total",
                  {{"role", role}, {"reason", reason}})
        .value_or(-1);
  };
  for (const std::string token : {"", "wrong"}) {
    INFO("token `" << token << "`");
    const Answer a = f.call(post_events(kTwoEvents, "application/x-ndjson", token));
    check_error(a, http::status::unauthorized, "unauthorized");
    // RFC 6750 §3: the challenge, with invalid_token when a token was sent.
    CHECK((*a.res)[http::field::www_authenticate] ==
          (token.empty() ? "Bearer realm=\"ccmon\""
                         : "Bearer realm=\"ccmon\", error=\"invalid_token\""));
  }
  for (const std::string token : {"met", "adm"}) {
    INFO("token `" << token << "`");
    const Answer a = f.call(post_events(kTwoEvents, "application/x-ndjson", token));
    check_error(a, http::status::forbidden, "forbidden");
    CHECK(body_of(*a.res).at("message") ==
          "the token is valid but not for the ingest role that /v1/events needs "
          "(docs/ingestion.md, \"Authentication\")");
  }
  CHECK(f.rejected("unauthorized") == 2);
  CHECK(f.rejected("forbidden") == 2);
  CHECK(auth_rejected("ingest", "missing_token") == 1);
  CHECK(auth_rejected("ingest", "unknown_token") == 1);
  CHECK(auth_rejected("ingest", "wrong_role") == 2);
  CHECK(f.engine.batches.empty());
  CHECK(f.call(post_events(kTwoEvents, "application/x-ndjson", "ing")).res->result() ==
        http::status::ok);

  for (const std::string token : {"", "ing", "adm"}) {
    INFO("token `" << token << "`");
    const auto status = token.empty() ? http::status::unauthorized : http::status::forbidden;
    const std::string code = token.empty() ? "unauthorized" : "forbidden";
    check_error(f.call(request(http::verb::get, "/metrics", token)), status, code);
    check_error(f.call(request(http::verb::get, "/v1/kpis", token)), status, code);
  }
  CHECK(auth_rejected("read", "missing_token") == 2);
  CHECK(auth_rejected("read", "wrong_role") == 4);
  CHECK(f.call(request(http::verb::get, "/metrics", "met")).res->result() == http::status::ok);
  // The scheme is case-insensitive (RFC 7235), the token is not.
  Request lower = request(http::verb::get, "/metrics");
  lower.set(http::field::authorization, "bearer met");
  CHECK(f.call(lower).res->result() == http::status::ok);
  CHECK(f.call(request(http::verb::get, "/metrics", "MET")).res->result() ==
        http::status::unauthorized);
  CHECK(auth_rejected("read", "unknown_token") == 1);
  // Nothing else was counted: 2 + 2 ingest, 2 + 4 + 1 read refusals.
  CHECK(f.rejected("unauthorized") + f.rejected("forbidden") == 11);
}

TEST_CASE("/metrics and /v1/kpis render a fresh view", "[server][router]") {
  Fixture f;
  Answer a = f.call(request(http::verb::get, "/metrics"));
  CHECK(a.resumed == 1);  // rendered back on the session, not the engine thread
  REQUIRE(a.res);
  CHECK(a.res->result() == http::status::ok);
  CHECK((*a.res)[http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(a.res->body().find("ccmon_build_info{version=\"test\"} 1") != std::string::npos);

  a = f.call(request(http::verb::head, "/metrics"));
  REQUIRE(a.res);
  CHECK(a.res->result() == http::status::ok);
  CHECK(a.res->body().empty());
  CHECK(std::stoul(std::string((*a.res)[http::field::content_length])) > 0);

  a = f.call(request(http::verb::get, "/v1/kpis?window=5m"));
  REQUIRE(a.res);
  CHECK(a.res->result() == http::status::ok);
  CHECK((*a.res)[http::field::content_type] == "application/json");
  CHECK(body_of(*a.res).at("windows") == nlohmann::json::array({"5m"}));

  check_error(f.call(request(http::verb::get, "/v1/kpis?window=7m")), http::status::bad_request,
              "unknown_window");
  CHECK(f.rejected("invalid_query") == 1);
  check_error(f.call(request(http::verb::post, "/metrics")), http::status::method_not_allowed,
              "method_not_allowed");
}

TEST_CASE("health, readiness and unknown paths", "[server][router]") {
  Fixture f;
  Answer a = f.call(request(http::verb::get, "/-/healthy"));
  CHECK(a.res->result() == http::status::ok);
  CHECK((*a.res)[http::field::content_type] == "text/plain");
  CHECK(f.call(request(http::verb::get, "/-/ready")).res->result() == http::status::ok);
  f.ctx->stopping = true;
  CHECK(f.call(request(http::verb::get, "/-/ready")).res->result() ==
        http::status::service_unavailable);
  check_error(f.call(request(http::verb::delete_, "/-/healthy")), http::status::method_not_allowed,
              "method_not_allowed");
  check_error(f.call(request(http::verb::get, "/nope?x=1")), http::status::not_found, "not_found");
  CHECK(f.rejected("not_found") == 1);
  // Nothing here is a refusal of authentication.
  CHECK(f.rejected("unauthorized") == 0);
}

// Found by fuzz_http_request (tests/fuzz/corpus/fuzz_http_request/crash-8d15ab84…):
// refusals to HEAD carried their JSON body, which a keep-alive client reads
// as the start of the next answer (RFC 9110 §9.3.2: no content).
TEST_CASE("answers to HEAD carry no content, refusals included", "[server][router]") {
  Fixture f("server:\n  auth:\n    metrics_tokens: [met]\n");
  const std::vector<std::pair<std::string, http::status>> cases = {
      {"/nope", http::status::not_found},                // no such endpoint
      {"/v1/events", http::status::method_not_allowed},  // POST only
      {"/v1/kpis", http::status::unauthorized},          // no read token
  };
  for (const auto& [path, status] : cases) {
    INFO(path);
    const Answer get = f.call(request(http::verb::get, path));
    REQUIRE(get.res);
    REQUIRE_FALSE(get.res->body().empty());
    const Answer head = f.call(request(http::verb::head, path));
    REQUIRE(head.res);
    CHECK(head.res->result() == status);
    CHECK(head.res->body().empty());
    // The headers of the GET answer, its length included.
    CHECK((*head.res)[http::field::content_length] == std::to_string(get.res->body().size()));
  }
  // Refused on the header alone: the same.
  Request metrics = request(http::verb::head, "/metrics");
  auto res = screen_header(metrics, *f.config, f.metrics);
  REQUIRE(res);
  CHECK(res->result() == http::status::unauthorized);
  CHECK(res->body().empty());
  res = screen_probes_only(request(http::verb::head, "/v1/kpis"), Lane::kMetrics, f.metrics);
  REQUIRE(res);
  CHECK(res->result() == http::status::not_found);
  CHECK(res->body().empty());
}

// The headers every page and asset answer carries (docs/wallboard.md,
// "Assets in the binary").
void check_page_headers(const Response& res, const web::Asset& asset) {
  CHECK(res[http::field::etag] == asset.etag);
  CHECK(res[http::field::cache_control] == "no-cache");
  CHECK(res["X-Content-Type-Options"] == "nosniff");
  CHECK(res["Referrer-Policy"] == "no-referrer");
  // The same policy as the page's own <meta http-equiv>.
  const std::string meta = "http-equiv=\"Content-Security-Policy\" content=\"" +
                           std::string(res["Content-Security-Policy"]) + "\"";
  CHECK_FALSE(res["Content-Security-Policy"].empty());
  CHECK(web::find_asset("/index.html")->body.find(meta) != std::string_view::npos);
}

TEST_CASE("GET / and /assets/... serve the embedded wallboard without a token",
          "[server][router][wallboard]") {
  // Tokens on: the page still needs none, it holds no data.
  Fixture f("server:\n  auth:\n    metrics_tokens: [met]\n");
  const auto index = web::find_asset("/index.html");
  REQUIRE(index);
  Answer a = f.call(request(http::verb::get, "/?queue=sales&token=abc"));
  REQUIRE(a.res);
  CHECK(a.res->result() == http::status::ok);
  CHECK((*a.res)[http::field::content_type] == "text/html; charset=utf-8");
  CHECK(a.res->body() == index->body);
  check_page_headers(*a.res, *index);

  const auto js = web::find_asset("/assets/wallboard.js");
  REQUIRE(js);
  a = f.call(request(http::verb::get, "/assets/wallboard.js"));
  CHECK(a.res->result() == http::status::ok);
  CHECK(a.res->body() == js->body);
  CHECK((*a.res)[http::field::content_type] == js->content_type);
  CHECK((*a.res)[http::field::content_type].starts_with("text/javascript"));
  check_page_headers(*a.res, *js);

  // HEAD: the same headers, Content-Length of the full body, no body.
  a = f.call(request(http::verb::head, "/assets/wallboard.js"));
  CHECK(a.res->result() == http::status::ok);
  CHECK(a.res->body().empty());
  CHECK((*a.res)[http::field::content_length] == std::to_string(js->body.size()));
  CHECK(f.rejected("unauthorized") == 0);
}

TEST_CASE("If-None-Match with the asset's ETag answers 304", "[server][router][wallboard]") {
  Fixture f;
  const auto css = web::find_asset("/assets/wallboard.css");
  REQUIRE(css);
  const std::string etag(css->etag);
  for (const std::string& inm :
       {etag, "\"0000000000000000\", " + etag, "W/" + etag, std::string("*")}) {
    INFO("If-None-Match: " << inm);
    Request req = request(http::verb::get, "/assets/wallboard.css");
    req.set(http::field::if_none_match, inm);
    const Answer a = f.call(req);
    CHECK(a.res->result() == http::status::not_modified);
    CHECK(a.res->body().empty());
    check_page_headers(*a.res, *css);
  }
  // Another file's tag, or the tag without its quotes, is not a match.
  for (const std::string& inm :
       {std::string(web::find_asset("/index.html")->etag), etag.substr(1, etag.size() - 2)}) {
    INFO("If-None-Match: " << inm);
    Request req = request(http::verb::get, "/assets/wallboard.css");
    req.set(http::field::if_none_match, inm);
    const Answer a = f.call(req);
    CHECK(a.res->result() == http::status::ok);
    CHECK(a.res->body() == css->body);
  }
}

TEST_CASE("an unknown asset is 404 and counted; other methods 405", "[server][router][wallboard]") {
  Fixture f;
  for (const std::string path : {"/assets/nope.js", "/assets/", "/assets/../index.html",
                                 "/assets//wallboard.js", "/assets/wallboard%2Ejs", "/index.htm"}) {
    INFO(path);
    check_error(f.call(request(http::verb::get, path)), http::status::not_found, "not_found");
  }
  CHECK(f.rejected("not_found") == 6);
  check_error(f.call(request(http::verb::post, "/")), http::status::method_not_allowed,
              "method_not_allowed");
  CHECK(f.rejected("method_not_allowed") == 1);
}

TEST_CASE("/v1/stream: 426 without an upgrade, 401 without the token", "[server][router]") {
  Fixture f("server:\n  auth:\n    ingest_tokens: [ing]\n");
  Answer a = f.call(request(http::verb::get, "/v1/stream", "ing"));
  check_error(a, http::status::upgrade_required, "upgrade_required");
  CHECK((*a.res)[http::field::upgrade] == "websocket");
  CHECK_FALSE(a.res->keep_alive());
  CHECK(f.rejected("upgrade_required") == 1);

  auto upgrade = [](std::string token) {
    Request req = request(http::verb::get, "/v1/stream", std::move(token));
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    req.set(http::field::sec_websocket_version, "13");
    return req;
  };
  check_error(f.call(upgrade("wrong")), http::status::unauthorized, "unauthorized");
  a = f.call(upgrade("ing"));
  CHECK(a.routed == Routed::kUpgrade);
  CHECK_FALSE(a.res);
}

TEST_CASE("/v1/live: metrics token in the header or ?token=, refusals are close codes",
          "[server][router][auth][live]") {
  Fixture f("server:\n  auth:\n    ingest_tokens: [ing]\n    metrics_tokens: [met]\n");
  auto upgrade = [](std::string target, std::string token = {}) {
    Request req = request(http::verb::get, std::move(target), std::move(token));
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    req.set(http::field::sec_websocket_version, "13");
    return req;
  };
  check_error(f.call(request(http::verb::get, "/v1/live?token=met")),
              http::status::upgrade_required, "upgrade_required");
  CHECK(f.rejected("upgrade_required") == 1);

  for (const Request& req :
       {upgrade("/v1/live?token=met"), upgrade("/v1/live", "met"),
        upgrade("/v1/live?token=wrong", "met"), upgrade("/v1/live?token=met", "wrong")}) {
    INFO(req.target() << " " << req[http::field::authorization]);
    const Answer a = f.call(req);
    CHECK(a.routed == Routed::kLive);
    CHECK_FALSE(a.res);  // the session answers: no HTTP response from route()
  }
  CHECK(f.rejected("unauthorized") == 0);

  // Missing, wrong, another role's token: the upgrade goes ahead so that the
  // browser sees close code 4401 or 4403 (an HTTP answer is invisible to
  // it); counted as 401 (missing, unknown) and 403 (another role's).
  for (const Request& req :
       {upgrade("/v1/live"), upgrade("/v1/live?token=wrong"), upgrade("/v1/live?token=ing"),
        upgrade("/v1/live", "ing"), upgrade("/v1/live?token=")}) {
    INFO(req.target() << " " << req[http::field::authorization]);
    const Answer a = f.call(req);
    CHECK(a.routed == Routed::kLiveRefused);
    CHECK_FALSE(a.res);
  }
  CHECK(f.rejected("unauthorized") == 3);
  CHECK(f.rejected("forbidden") == 2);
  CHECK(sample(f.metrics.registry(), "ccmon_auth_rejected_total",
               {{"role", "read"}, {"reason", "wrong_role"}}) == 2);
  // The credential the session keeps: the one that opens the feed.
  const auto& auth = f.config->auth;
  CHECK(live_credential(upgrade("/v1/live?token=met", "wrong"), auth) == "Bearer met");
  CHECK(live_credential(upgrade("/v1/live?token=wrong", "met"), auth) == "Bearer met");
  CHECK(live_credential(upgrade("/v1/live?token=ing"), auth) == "Bearer ing");
  CHECK(live_credential(upgrade("/v1/live"), auth).empty());

  // Without metrics tokens the feed is open, like /metrics.
  Fixture open;
  CHECK(open.call(upgrade("/v1/live")).routed == Routed::kLive);
}

TEST_CASE("/-/reload needs an admin token once any token is set", "[server][router][auth]") {
  SECTION("no token of any role: open") {
    Fixture f;
    const Answer a = f.call(request(http::verb::post, "/-/reload"));
    CHECK(a.resumed == 1);  // answered from the session once the reload thread is done
    REQUIRE(a.res);
    CHECK(a.res->result() == http::status::ok);
    CHECK(body_of(*a.res) == nlohmann::json::parse(R"({"status":"reloaded","config":"test.yml"})"));
    CHECK(f.reloads == 1);
  }
  SECTION("ingest or metrics tokens but no admin token: 403 for everyone") {
    for (const char* yaml : {"server:\n  auth:\n    ingest_tokens: [ing]\n",
                             "server:\n  auth:\n    metrics_tokens: [met]\n"}) {
      Fixture f(yaml);
      for (const std::string token : {"", "ing", "met"}) {
        check_error(f.call(request(http::verb::post, "/-/reload", token)), http::status::forbidden,
                    "forbidden");
      }
      CHECK(f.rejected("forbidden") == 3);
      CHECK(f.reloads == 0);
    }
  }
  SECTION("admin tokens: only they reload") {
    Fixture f("server:\n  auth:\n    ingest_tokens: [ing]\n    admin_tokens: [adm]\n");
    for (const std::string token : {"", "wrong"}) {
      check_error(f.call(request(http::verb::post, "/-/reload", token)), http::status::unauthorized,
                  "unauthorized");
    }
    // A producer's token is valid, but not for reloading: 403.
    check_error(f.call(request(http::verb::post, "/-/reload", "ing")), http::status::forbidden,
                "forbidden");
    CHECK(f.reloads == 0);
    CHECK(f.call(request(http::verb::post, "/-/reload", "adm")).res->result() == http::status::ok);
    CHECK(f.reloads == 1);
    // An admin token is no ingest token.
    CHECK(f.call(post_events(kTwoEvents, "application/x-ndjson", "adm")).res->result() ==
          http::status::forbidden);
  }
  SECTION("admin tokens alone switch reload auth on, and nothing else") {
    Fixture f("server:\n  auth:\n    admin_tokens: [adm]\n");
    CHECK(f.call(request(http::verb::post, "/-/reload")).res->result() ==
          http::status::unauthorized);
    CHECK(f.call(post_events(kTwoEvents, "application/x-ndjson")).res->result() ==
          http::status::ok);
  }
  SECTION("a refused configuration: 500 with every problem") {
    Fixture f;
    f.reload_outcome = {false, "test.yml:3:3: server.bogus_key: unknown key"};
    const Answer a = f.call(request(http::verb::post, "/-/reload"));
    check_error(a, http::status::internal_server_error, "reload_failed");
    CHECK(body_of(*a.res).at("message") == "test.yml:3:3: server.bogus_key: unknown key");
  }
  SECTION("GET is not a reload") {
    Fixture f;
    check_error(f.call(request(http::verb::get, "/-/reload")), http::status::method_not_allowed,
                "method_not_allowed");
    CHECK(f.reloads == 0);
  }
}

TEST_CASE("requests the parser gave up on are answered and counted", "[server][router]") {
  SelfMetrics metrics{"test"};
  const auto config = config_from("server:\n  limits:\n    max_body_size: 1KiB\n");
  auto rejected = [&](const std::string& reason) {
    return sample(metrics.registry(), "ccmon_requests_rejected_total", {{"reason", reason}});
  };

  auto res = read_error_response(http::error::body_limit, *config, metrics);
  REQUIRE(res);
  CHECK(res->result() == http::status::payload_too_large);
  CHECK(body_of(*res).at("error") == "too_large");
  CHECK(body_of(*res).at("message") == "request body is over the limit of 1024 bytes");
  CHECK_FALSE(res->keep_alive());
  CHECK(rejected("body_too_large") == 1);

  res = read_error_response(http::error::header_limit, *config, metrics);
  REQUIRE(res);
  CHECK(res->result() == http::status::request_header_fields_too_large);
  CHECK(rejected("headers_too_large") == 1);

  for (auto ec : {http::error::bad_method, http::error::bad_version, http::error::bad_field,
                  http::error::bad_content_length, http::error::bad_chunk}) {
    res = read_error_response(ec, *config, metrics);
    REQUIRE(res);
    CHECK(res->result() == http::status::bad_request);
    CHECK(body_of(*res).at("error") == "bad_request");
  }
  CHECK(rejected("malformed_request") == 5);

  // The peer left: nobody to answer, nothing refused.
  CHECK_FALSE(read_error_response(http::error::end_of_stream, *config, metrics));
  CHECK_FALSE(read_error_response(http::error::partial_message, *config, metrics));
  CHECK_FALSE(read_error_response(boost::asio::error::connection_reset, *config, metrics));
  double total = 0;
  for (int r = 0; r < kRequestRejectionCount; ++r) {
    total += rejected(std::string(to_string(static_cast<RequestRejection>(r)))).value_or(0);
  }
  CHECK(total == 1 + 1 + 5);
}

TEST_CASE("an ingest answer lists the first rejections and counts the rest",
          "[server][router][limits]") {
  Fixture f("ingest:\n  max_rejections_listed: 3\n");
  // 10 lines of `1` (not objects) and one valid event.
  std::string body;
  for (int i = 0; i < 10; ++i) body += "1\n";
  body += kTwoEvents.substr(0, kTwoEvents.find('\n') + 1);
  const Answer a = f.call(post_events(body, "application/x-ndjson"));
  REQUIRE(a.res);
  CHECK(body_of(*a.res) == nlohmann::json::parse(R"({"accepted":1,"duplicates":0,"rejected":[
      {"index":0,"reason":"not_object","message":"event is a number, not an object"},
      {"index":1,"reason":"not_object","message":"event is a number, not an object"},
      {"index":2,"reason":"not_object","message":"event is a number, not an object"}],
      "rejected_total":10,"rejected_by_reason":{"not_object":10}})"));
  // received = 1 accepted + 10 rejected, listed or not.
  CHECK(f.received_http() == 11);
  CHECK(sample(f.metrics.registry(), "ccmon_events_rejected_total", {{"reason", "not_object"}}) ==
        10);
}

TEST_CASE("screen_header refuses on the headers alone", "[server][router][auth]") {
  Fixture f("server:\n  auth:\n    ingest_tokens: [ing]\n    admin_tokens: [adm]\n");
  Request req = post_events("", "application/x-ndjson");
  req.set(http::field::content_length, "8388608");
  SECTION("no token: 401 before the body, closing") {
    auto res = screen_header(req, *f.config, f.metrics);
    REQUIRE(res);
    CHECK(res->result() == http::status::unauthorized);
    CHECK_FALSE(res->keep_alive());
    CHECK(f.rejected("unauthorized") == 1);
  }
  SECTION("the ingest token: read on") {
    req.set(http::field::authorization, "Bearer ing");
    CHECK_FALSE(screen_header(req, *f.config, f.metrics));
    req.set(http::field::content_encoding, "br");
    auto res = screen_header(req, *f.config, f.metrics);
    REQUIRE(res);
    CHECK(res->result() == http::status::unsupported_media_type);
    CHECK(f.rejected("unsupported_media_type") == 1);
  }
  SECTION("/-/reload with an ingest token") {
    Request reload = request(http::verb::post, "/-/reload", "ing");
    auto res = screen_header(reload, *f.config, f.metrics);
    REQUIRE(res);
    CHECK(res->result() == http::status::forbidden);
    CHECK(f.rejected("forbidden") == 1);
  }
  SECTION("open endpoints, and a 405 without a body, are not screened") {
    CHECK_FALSE(screen_header(request(http::verb::get, "/-/healthy"), *f.config, f.metrics));
    CHECK_FALSE(screen_header(request(http::verb::get, "/v1/events"), *f.config, f.metrics));
    CHECK_FALSE(screen_header(request(http::verb::get, "/nope"), *f.config, f.metrics));
  }
  SECTION("with a body, 404 and 405 before it, closing") {
    Request nope = request(http::verb::post, "/nope");
    nope.set(http::field::content_length, "8388608");
    auto res = screen_header(nope, *f.config, f.metrics);
    REQUIRE(res);
    CHECK(res->result() == http::status::not_found);
    CHECK_FALSE(res->keep_alive());
    CHECK(f.rejected("not_found") == 1);
    Request put = request(http::verb::put, "/metrics");
    put.chunked(true);
    res = screen_header(put, *f.config, f.metrics);
    REQUIRE(res);
    CHECK(res->result() == http::status::method_not_allowed);
    CHECK((*res)[http::field::allow] == "GET");
    CHECK(f.rejected("method_not_allowed") == 1);
    // An endpoint's own method with a body goes on to the token check.
    Request reload = request(http::verb::put, "/-/reload", "adm");
    reload.set(http::field::content_length, "10");
    CHECK_FALSE(screen_header(reload, *f.config, f.metrics));
  }
}

TEST_CASE("gzip bodies are inflated under the body limit", "[server][router][limits]") {
  Fixture f("server:\n  limits:\n    max_body_size: 1KiB\n");
  // gzip of kTwoEvents' first line, made by Python's gzip.compress would do;
  // here zlib's own deflate is the independent implementation.
  auto gz = [](const std::string& text) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(compressBound(static_cast<uLong>(text.size())) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
  };
  SECTION("a valid gzip body") {
    Request req = post_events(gz(kTwoEvents), "application/x-ndjson");
    req.set(http::field::content_encoding, "gzip");
    const Answer a = f.call(req);
    REQUIRE(a.res);
    CHECK(body_of(*a.res).at("accepted") == 2);
  }
  SECTION("decompressing past the limit: 413") {
    Request req = post_events(gz(std::string(100'000, ' ')), "application/x-ndjson");
    REQUIRE(req.body().size() < 1024);  // a few hundred bytes on the wire
    req.set(http::field::content_encoding, "gzip");
    check_error(f.call(req), http::status::payload_too_large, "too_large");
    CHECK(f.rejected("body_too_large") == 1);
  }
  SECTION("not gzip: 400") {
    Request req = post_events("plain text", "application/x-ndjson");
    req.set(http::field::content_encoding, "gzip");
    check_error(f.call(req), http::status::bad_request, "invalid_gzip");
    CHECK(f.rejected("unreadable") == 1);
  }
}

// route() with a given engine behind the context, for engines that fail:
// one NDJSON POST per call, answered into `recorder` (resumed work left to
// the caller).
struct EngineFixture {
  explicit EngineFixture(EngineService& engine)
      : ctx(std::make_shared<ServerContext>(config, metrics, engine)) {}

  Routed post_ndjson(std::string body) {
    Request req = post_events(std::move(body), "application/x-ndjson");
    req.prepare_payload();
    const RequestContext rc{*ctx, config, decoder.for_config(config)};
    return route(req, rc, recorder);
  }

  SelfMetrics metrics{"test"};
  std::shared_ptr<const config::Config> config = config_from("");
  std::shared_ptr<ServerContext> ctx;
  SessionDecoder decoder;
  std::shared_ptr<Recorder> recorder = std::make_shared<Recorder>();
};

// An engine whose submit fails as an allocation would.
class ThrowingEngine final : public EngineService {
 public:
  Admission& admission() override { return admission_; }
  core::Timestamp wall_now() const override { return 1'700'000'000'000'000; }
  void submit(Batch, std::function<void(BatchResult)>) override { throw std::bad_alloc(); }
  void request_view(std::function<void(std::shared_ptr<const View>)>) override {
    throw std::bad_alloc();
  }

 private:
  Admission admission_{1000};
};

TEST_CASE("an exception while routing answers 500 for that request only",
          "[server][router][limits]") {
  ThrowingEngine engine;
  EngineFixture f(engine);
  CHECK(f.post_ndjson(kTwoEvents) == Routed::kAnswering);
  REQUIRE(f.recorder->responses.size() == 1);
  CHECK(f.recorder->responses[0].result() == http::status::internal_server_error);
  CHECK_FALSE(f.recorder->responses[0].keep_alive());
  CHECK(sample(f.metrics.registry(), "ccmon_requests_rejected_total",
               {{"reason", "internal_error"}}) == 1);
}

// Applies the first batch, throws on the next (out of memory).
class SecondSubmitThrows final : public EngineService {
 public:
  Admission& admission() override { return admission_; }
  core::Timestamp wall_now() const override { return 1'700'000'000'000'000; }
  void submit(Batch batch, std::function<void(BatchResult)> done) override {
    if (++submits > 1) throw std::bad_alloc();
    admission_.release(batch.admitted);
    done({batch.events.size(), 0});
  }
  void request_view(std::function<void(std::shared_ptr<const View>)>) override {}

  int submits = 0;

 private:
  Admission admission_{10'000};
};

TEST_CASE("a large body whose second part cannot be submitted: one 500, no room kept",
          "[server][router][limits]") {
  SecondSubmitThrows engine;
  EngineFixture f(engine);
  const std::string body = queued_lines(1000);
  CHECK(f.post_ndjson(body) == Routed::kAnswering);
  CHECK(engine.submits == 2);
  f.recorder->run_resumed();  // the first part's completion answers nothing
  REQUIRE(f.recorder->responses.size() == 1);
  CHECK(f.recorder->responses[0].result() == http::status::internal_server_error);
  CHECK(engine.admission().in_flight() == 0);
}

}  // namespace
}  // namespace ccmon::server
