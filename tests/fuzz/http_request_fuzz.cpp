// libFuzzer target: bytes a client sends on one HTTP/1.1 connection ->
// Beast's request parser with the daemon's limits (server/http_session.cpp:
// a fresh parser per request, kHeaderLimit of header) -> what HttpSession
// does with each parsed request, without its socket: screen_probes_only
// (probe lanes), screen_header, then route() (server/router.hpp) with a fake
// engine that applies every batch and a responder that records
// (tests/server/server_test_support.hpp), and the work route() resumes.
//
// The first input byte chooses how the bytes arrive and what serves them:
// bits 0-5 the chunk size (1-64), as TCP segments would, so that every parser
// state sees a chunk boundary; bits 6-7 the configuration and lane:
// 0 tokens on, ordinary lane; 1 tokens off, ordinary; 2 tokens on, probe
// reserve; 3 tokens off, metrics listener. Pipelined requests are read one
// after the other, as keep-alive does, until an answer closes.
//
// Checked per request: exactly one response when route() says kAnswering and
// none otherwise (the upgrades), only for upgrades of /v1/stream and
// /v1/live; a status in the set the router documents (never 500: nothing
// here fails); a header refusal is the status route() gives the same
// request, and closes; with tokens on, no 2xx (nor an upgrade) on a
// token-protected endpoint without that role's token; an accepted
// /v1/events body's events all reach the engine and its answer counts them;
// HEAD answers carry no body; no exception escapes.
#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_util.hpp"
#include "server/router.hpp"
#include "server/self_metrics.hpp"
#include "server/server_context.hpp"
#include "server/session_decoder.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/server/server_test_support.hpp"

namespace {
namespace beast = boost::beast;
namespace http = beast::http;
using ccmon::server::Lane;
using ccmon::server::Request;
using ccmon::server::Response;
using ccmon::server::Routed;

constexpr std::string_view kIngestToken = "s3cret-ingest";
constexpr std::string_view kReadToken = "s3cret-read";
constexpr std::string_view kAdminToken = "s3cret-admin";
// A small body limit so that 413 is reachable with fuzzer-sized inputs.
constexpr std::size_t kBodyLimit = 64 * 1024;

// One configuration and everything the sessions of its connections share.
struct Server {
  explicit Server(bool tokens)
      : config(ccmon::server::test::config_from(
            "server:\n  limits:\n    max_body_size: 64KiB\n" +
            std::string(tokens ? "  auth:\n    ingest_tokens: [s3cret-ingest]\n"
                                 "    metrics_tokens: [s3cret-read]\n"
                                 "    admin_tokens: [s3cret-admin]\n"
                               : ""))),
        auth_on(tokens) {
    ctx = std::make_shared<ccmon::server::ServerContext>(config, metrics, engine);
    ctx->ready = true;
    ctx->reload = [](std::function<void(ccmon::server::ReloadOutcome)> done) {
      done({true, "fuzz.yml"});
    };
  }

  ccmon::server::SelfMetrics metrics{"fuzz"};
  ccmon::server::test::FakeEngine engine;
  std::shared_ptr<const ccmon::config::Config> config;
  std::shared_ptr<ccmon::server::ServerContext> ctx;
  ccmon::server::SessionDecoder decoder;
  bool auth_on;
};

Server& server(bool tokens) {
  static Server on(true);
  static Server off(false);
  return tokens ? on : off;
}

bool sane_status(unsigned status) {
  switch (status) {
    case 200:  // answered
    case 304:  // wallboard asset unchanged
    case 400:  // unreadable body, bad query
    case 401:  // no or unknown token
    case 403:  // another role's token, or a closed role
    case 404:  // no such endpoint
    case 405:  // method not answered
    case 413:  // gzip body over the limit once inflated
    case 415:  // Content-Type or Content-Encoding
    case 426:  // WebSocket endpoint without an upgrade
    case 503:  // probe reserve, not ready, overloaded
      return true;
    default:
      return false;
  }
}

// The token a request needs, when route() checks one; "" when open.
std::string_view needed_token(const std::string& path, http::verb method) {
  const bool get = method == http::verb::get || method == http::verb::head;
  if (path == "/v1/events" && method == http::verb::post) return kIngestToken;
  if (path == "/v1/stream") return kIngestToken;
  if ((path == "/metrics" || path == "/v1/kpis") && get) return kReadToken;
  if (path == "/-/reload" && (method == http::verb::post || method == http::verb::put)) {
    return kAdminToken;
  }
  return {};
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// What HttpSession does with one parsed request; false when the answer
// closes the connection.
bool handle(const Request& req, Server& s, Lane lane) {
  const ccmon::server::Target target = ccmon::server::parse_target(req.target());
  CCMON_FUZZ_CHECK(target.path.size() <= req.target().size());
  const std::string type = ccmon::server::media_type(req[http::field::content_type]);
  CCMON_FUZZ_CHECK(type.size() <= req[http::field::content_type].size());

  if (lane != Lane::kOrdinary) {
    if (auto refusal = ccmon::server::screen_probes_only(req, lane, s.metrics)) {
      CCMON_FUZZ_CHECK(refusal->result_int() == (lane == Lane::kReserve ? 503u : 404u));
      return false;
    }
    const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
    CCMON_FUZZ_CHECK(get);
  }

  // Routes the request as the session would after its body: the answers
  // and what route() said.
  auto route_it = [&](Routed& routed) {
    auto recorder = std::make_shared<ccmon::server::test::Recorder>();
    const ccmon::server::RequestContext rc{*s.ctx, s.config, s.decoder.for_config(s.config)};
    routed = ccmon::server::route(req, rc, recorder);
    // Resumed work may resume more: run until nothing waits.
    for (int hops = 0; !recorder->resumed.empty(); ++hops) {
      CCMON_FUZZ_CHECK(hops < 8);
      recorder->run_resumed();
    }
    return std::move(recorder->responses);
  };

  if (auto refusal = ccmon::server::screen_header(req, *s.config, s.metrics)) {
    // Screening changes when the refusal is sent, never what it is.
    CCMON_FUZZ_CHECK(!refusal->keep_alive());
    const unsigned status = refusal->result_int();
    CCMON_FUZZ_CHECK(status == 401 || status == 403 || status == 404 || status == 405 ||
                     status == 415);
    Routed routed{};
    const auto answers = route_it(routed);
    s.engine.batches.clear();
    CCMON_FUZZ_CHECK(routed == Routed::kAnswering);
    CCMON_FUZZ_CHECK(answers.size() == 1);
    CCMON_FUZZ_CHECK(answers.front().result_int() == status);
    return false;
  }

  Routed routed{};
  const auto answers = route_it(routed);
  std::vector<ccmon::server::Batch> batches = std::move(s.engine.batches);
  s.engine.batches.clear();

  const auto authorization = req[http::field::authorization];
  const std::string_view token_header(authorization.data(), authorization.size());
  const std::string_view needed = needed_token(target.path, req.method());
  const bool token_missing = s.auth_on && !needed.empty() && !contains(token_header, needed);

  if (routed != Routed::kAnswering) {
    CCMON_FUZZ_CHECK(answers.empty());
    CCMON_FUZZ_CHECK(batches.empty());
    CCMON_FUZZ_CHECK(beast::websocket::is_upgrade(req));
    if (routed == Routed::kUpgrade) {
      CCMON_FUZZ_CHECK(target.path == "/v1/stream");
      CCMON_FUZZ_CHECK(!token_missing);
    } else {
      CCMON_FUZZ_CHECK(target.path == "/v1/live");
      // The read token may also come as ?token= (docs/wallboard.md).
      if (routed == Routed::kLive && s.auth_on) {
        CCMON_FUZZ_CHECK(contains(token_header, kReadToken) || contains(req.target(), kReadToken));
      }
    }
    return false;  // the connection is handed over
  }

  CCMON_FUZZ_CHECK(answers.size() == 1);
  const Response& res = answers.front();
  const unsigned status = res.result_int();
  CCMON_FUZZ_CHECK(sane_status(status));
  if (status / 100 == 2) CCMON_FUZZ_CHECK(!token_missing);
  if (req.method() == http::verb::head) CCMON_FUZZ_CHECK(res.body().empty());
  if (target.path == "/v1/events" && status == 200) {
    // The decoded events all reach the engine, and the answer counts them.
    std::size_t events = 0;
    for (const auto& b : batches) events += b.events.size();
    const auto reply = nlohmann::json::parse(res.body());
    CCMON_FUZZ_CHECK(reply.at("accepted").get<std::size_t>() == events);
  } else {
    CCMON_FUZZ_CHECK(batches.empty());
  }
  if (!req.keep_alive()) CCMON_FUZZ_CHECK(!res.keep_alive());
  // A reserved connection serves one probe (HttpSession::respond).
  return res.keep_alive() && lane != Lane::kReserve;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + (data[0] & 63);
  const unsigned mode = data[0] >> 6;
  Server& s = server(mode % 2 == 0);
  const Lane lane = mode < 2 ? Lane::kOrdinary : (mode == 2 ? Lane::kReserve : Lane::kMetrics);
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  beast::flat_buffer buffer;
  for (int requests = 0; requests < 64; ++requests) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(ccmon::server::kHeaderLimit);
    parser.body_limit(kBodyLimit);
    beast::error_code ec;
    while (!parser.is_done()) {
      if (buffer.size() > 0) {
        const std::size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == http::error::need_more) {
          ec = {};
        } else if (ec) {
          // The session answers 400/413/431 and closes.
          const auto res = ccmon::server::read_error_response(ec, *s.config, s.metrics);
          if (res) CCMON_FUZZ_CHECK(!res->keep_alive());
          return 0;
        } else if (used > 0) {
          continue;
        }
      }
      if (rest.empty()) {
        // The peer closed the connection: as http::read does, only a
        // started message gets end-of-file (an idle one just ends).
        if (!parser.got_some()) return 0;
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return 0;
        break;
      }
      const std::size_t n = std::min(chunk, rest.size());
      const auto dest = buffer.prepare(n);
      std::memcpy(dest.data(), rest.data(), n);
      buffer.commit(n);
      rest.remove_prefix(n);
    }
    const Request& req = parser.get();
    CCMON_FUZZ_CHECK(req.body().size() <= kBodyLimit);
    if (!handle(req, s, lane)) return 0;
    if (!parser.keep_alive()) return 0;
  }
  return 0;
}
