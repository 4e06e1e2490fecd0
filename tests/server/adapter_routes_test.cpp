// The adapter endpoints through route(), without a socket: which answer
// each gets, what reaches the engine and what is counted.
#include "server/adapter_routes.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/adapters/twilio_signature.hpp"
#include "server/self_metrics.hpp"
#include "server/session_decoder.hpp"
#include "server_test_support.hpp"

namespace ccmon::server {
namespace {

using test::config_from;
using test::FakeEngine;
using test::Recorder;
using test::sample;

constexpr const char* kConfig = R"(
server:
  auth:
    ingest_tokens: [ing]
ingest:
  max_event_age: 0
adapters:
  twilio:
    auth_token: tok
    public_base_url: https://ccmon.example.com
  amazon_connect:
    api_key: ck
    firehose_access_key: fk
)";

struct Fixture {
  explicit Fixture(const std::string& yaml = kConfig) : config(config_from(yaml)) {
    ctx = std::make_shared<ServerContext>(config, metrics, engine);
    ctx->ready = true;
  }
  Response call(Request req) {
    req.prepare_payload();
    auto recorder = std::make_shared<Recorder>();
    const RequestContext rc{*ctx, config, decoder.for_config(config)};
    route(req, rc, recorder);
    recorder->run_resumed();
    REQUIRE(recorder->responses.size() == 1);
    return recorder->responses.front();
  }
  double counted(const std::string& name, const std::map<std::string, std::string>& labels) {
    return sample(metrics.registry(), name, labels).value_or(-1);
  }

  SelfMetrics metrics{"test"};
  FakeEngine engine;
  std::shared_ptr<const config::Config> config;
  std::shared_ptr<ServerContext> ctx;
  SessionDecoder decoder;
};

Request post(std::string target, std::string body, std::string content_type) {
  Request req{http::verb::post, target, 11};
  req.set(http::field::content_type, content_type);
  req.body() = std::move(body);
  return req;
}

TEST_CASE("queue_log lines reach the engine under the ingest token", "[server][adapters]") {
  Fixture f;
  Request req = post("/v1/adapters/asterisk/queue_log?source=pbx1",
                     "1700000000|c1|support|NONE|ENTERQUEUE||X|1\n", "text/plain");
  SECTION("no token: 401 from the headers") {
    req.set(http::field::content_length, "40");
    auto res = screen_header(req, *f.config, f.metrics);
    REQUIRE(res);
    CHECK(res->result() == http::status::unauthorized);
  }
  SECTION("with it: applied") {
    req.set(http::field::authorization, "Bearer ing");
    const Response res = f.call(req);
    CHECK(res.result() == http::status::ok);
    REQUIRE(f.engine.batches.size() == 1);
    REQUIRE(f.engine.batches[0].events.size() == 1);
    const auto& e = f.engine.batches[0].events[0].event;
    CHECK(e.contact == "pbx1:c1");
    CHECK(e.queue == "support");
    CHECK(f.counted("ccmon_adapter_events_total", {{"adapter", "asterisk_queue_log"},
                                                   {"source", "pbx1"},
                                                   {"result", "accepted"}}) == 1);
  }
}

TEST_CASE("adapter paths answer POST only; unconfigured adapters are disabled",
          "[server][adapters]") {
  Fixture f("server: {clock: event}\n");
  const Response get = f.call(Request{http::verb::get, "/v1/adapters/twilio/taskrouter", 11});
  CHECK(get.result() == http::status::method_not_allowed);
  CHECK(get[http::field::allow] == "POST");
  for (const char* path : {"/v1/adapters/twilio/taskrouter", "/v1/adapters/amazon-connect/events",
                           "/v1/adapters/amazon-connect/agent-events"}) {
    INFO(path);
    const Response res = f.call(post(path, "{}", "application/json"));
    CHECK(res.result() == http::status::not_found);
    CHECK(nlohmann::json::parse(res.body()).at("error") == "adapter_disabled");
  }
  CHECK(f.engine.batches.empty());
}

TEST_CASE("twilio: Content-Type picks the form, a signature opens it", "[server][adapters]") {
  Fixture f;
  const std::string target = "/v1/adapters/twilio/taskrouter?source=tw";
  const std::string body =
      "EventType=task-queue.entered&Sid=EV1&TaskSid=WT1&TimestampMs=1700000000000"
      "&TaskQueueName=Sales&TaskChannelUniqueName=voice";
  core::adapters::FormParams params;
  std::string error;
  params = *core::adapters::decode_form(body, error);
  const std::string good =
      core::adapters::twilio_signature("tok", "https://ccmon.example.com" + target, params);
  SECTION("signed: applied, contact <source>:<TaskSid>") {
    Request req = post(target, body, "application/x-www-form-urlencoded");
    req.set("X-Twilio-Signature", good);
    CHECK(f.call(req).result() == http::status::ok);
    REQUIRE(f.engine.batches.size() == 1);
    CHECK(f.engine.batches[0].events[0].event.contact == "tw:WT1");
  }
  SECTION("signed for a URL with another host: 403, counted") {
    Request req = post(target, body, "application/x-www-form-urlencoded");
    req.set("X-Twilio-Signature",
            core::adapters::twilio_signature("tok", "https://other.example.com" + target, params));
    CHECK(f.call(req).result() == http::status::forbidden);
    CHECK(f.engine.batches.empty());
    CHECK(f.counted("ccmon_adapter_auth_failures_total",
                    {{"adapter", "twilio"}, {"reason", "invalid"}}) == 1);
    CHECK(f.counted("ccmon_requests_rejected_total", {{"reason", "forbidden"}}) == 1);
  }
  SECTION("another Content-Type: 415") {
    Request req = post(target, body, "text/plain");
    req.set("X-Twilio-Signature", good);
    CHECK(f.call(req).result() == http::status::unsupported_media_type);
  }
}

TEST_CASE("amazon connect keys: 401 missing, 403 wrong, Firehose's format", "[server][adapters]") {
  Fixture f;
  const Response missing =
      f.call(post("/v1/adapters/amazon-connect/events", "[]", "application/json"));
  CHECK(missing.result() == http::status::unauthorized);
  Request wrong = post("/v1/adapters/amazon-connect/events", "[]", "application/json");
  wrong.set(http::field::authorization, "Bearer ckx");
  CHECK(f.call(wrong).result() == http::status::forbidden);
  Request right = post("/v1/adapters/amazon-connect/events", "[]", "application/json");
  right.set("X-Api-Key", "ck");
  CHECK(f.call(right).result() == http::status::ok);

  Request fh =
      post("/v1/adapters/amazon-connect/agent-events",
           R"({"requestId":"r-1","timestamp":1700000000000,"records":[]})", "application/json");
  fh.set("X-Amz-Firehose-Request-Id", "r-1");
  fh.set("X-Amz-Firehose-Access-Key", "nope");
  Response res = f.call(fh);
  CHECK(res.result() == http::status::forbidden);
  auto j = nlohmann::json::parse(res.body());
  CHECK(j.at("requestId") == "r-1");
  CHECK(j.contains("errorMessage"));
  fh.set("X-Amz-Firehose-Access-Key", "fk");
  res = f.call(fh);
  CHECK(res.result() == http::status::ok);
  j = nlohmann::json::parse(res.body());
  CHECK(j.at("requestId") == "r-1");
  CHECK(j.at("timestamp") == 1'700'000'000'000);  // the engine's wall clock, in ms
  CHECK_FALSE(j.contains("errorMessage"));
  CHECK(f.counted("ccmon_adapter_auth_failures_total",
                  {{"adapter", "amazon_connect"}, {"reason", "invalid"}}) == 2);
  CHECK(f.counted("ccmon_adapter_auth_failures_total",
                  {{"adapter", "amazon_connect"}, {"reason", "missing"}}) == 1);
}

}  // namespace
}  // namespace ccmon::server
