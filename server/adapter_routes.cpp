#include "server/adapter_routes.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <string>
#include <utility>

#include "core/adapters/amazon_connect.hpp"
#include "core/adapters/asterisk_queue_log.hpp"
#include "core/adapters/twilio_signature.hpp"
#include "core/adapters/twilio_taskrouter.hpp"
#include "server/adapter_ingest.hpp"
#include "server/exchange.hpp"

namespace ccmon::server {
namespace {

namespace ad = core::adapters;

// Equal secrets, compared in constant time whatever their lengths: both are
// hashed first, so neither the content nor the length of the configured
// one leaks through timing.
bool secret_equal(std::string_view presented, std::string_view configured) {
  unsigned char a[SHA256_DIGEST_LENGTH];
  unsigned char b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(configured.data()), configured.size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

// One adapter request being answered.
struct Call : Exchange {
  Routed disabled(std::string_view key) const {
    std::string message = target.path;
    message += " is disabled: set ";
    message += key;
    message += " to enable it (docs/security.md, \"Adapters\")";
    return refuse(RequestRejection::kNotFound, http::status::not_found, "adapter_disabled",
                  message);
  }
  // The ?source= of the request, or `fallback`; nullopt (answered 400) when invalid.
  std::optional<std::string> source(std::string_view fallback) const {
    const auto it = target.query.find("source");
    if (it == target.query.end()) return std::string(fallback);
    if (!ad::valid_source_name(it->second)) {
      refuse(RequestRejection::kInvalidQuery, http::status::bad_request, "invalid_source",
             "?source= must be 1-32 of A-Z a-z 0-9 _ . -");
      return std::nullopt;
    }
    return it->second;
  }
  // Maps nothing more: the delivery `batch` of `source` goes to the engine
  // and the answer is written by `reply` (success) or the refusal of its
  // failure.
  void ingest(AdapterKind adapter, const std::string& source, ad::AdapterBatch batch,
              std::string_view record_name,
              std::function<Response(const AdapterOutcome&)> reply) const {
    ingest_adapter_batch(server(), *rc.config, rc.decoder, adapter, source, std::move(batch),
                         Transport::kHttp, record_name,
                         [responder = responder, reply = std::move(reply)](AdapterOutcome outcome) {
                           responder->resume([responder, reply, outcome = std::move(outcome)] {
                             responder->respond(reply(outcome));
                           });
                         });
  }
  // The refusal of a failed delivery, or nullopt when it was taken.
  static std::optional<Response> failure_response(const AdapterOutcome& o, SelfMetrics& metrics,
                                                  unsigned version, bool keep_alive) {
    using F = AdapterOutcome::Failure;
    if (o.failure == F::kNone) return std::nullopt;
    if (o.failure == F::kInternal) return internal_error(metrics, version);
    const bool overloaded = o.failure == F::kOverloaded;
    return retry_later(
        metrics, overloaded ? RequestRejection::kOverloaded : RequestRejection::kStateUnavailable,
        overloaded ? "overloaded" : "state_unavailable",
        overloaded                   ? "too many events in flight; retry later"
        : o.failure == F::kRestoring ? "the state is being restored; retry later"
                                     : "the events cannot be stored (disk full or failing); "
                                       "retry later",
        version, keep_alive);
  }
  // The /v1/events-shaped answer (or the failure's refusal).
  std::function<Response(const AdapterOutcome&)> json_reply() const {
    return [metrics = &metrics(), version = version,
            keep_alive = keep_alive](const AdapterOutcome& o) {
      if (auto refused = failure_response(o, *metrics, version, keep_alive)) return *refused;
      return json_response(http::status::ok, adapter_reply_json(o), version, keep_alive);
    };
  }
  // 401 (missing) / 403 (wrong) for an adapter credential, counted twice:
  // as the request's refusal and in ccmon_adapter_auth_failures_total.
  // `custom`: the answer to send instead of the JSON error.
  Routed auth_refused(AdapterKind adapter, AdapterAuthFailure why, std::string_view message,
                      std::optional<Response> custom = std::nullopt) const {
    server().adapters.auth_failed(adapter, why);
    const bool missing = why == AdapterAuthFailure::kMissing;
    if (custom) {
      metrics().request_rejected(custom->result() == http::status::unauthorized
                                     ? RequestRejection::kUnauthorized
                                     : RequestRejection::kForbidden);
      return answer(std::move(*custom));
    }
    return refuse(missing ? RequestRejection::kUnauthorized : RequestRejection::kForbidden,
                  missing ? http::status::unauthorized : http::status::forbidden,
                  missing ? "unauthorized" : "forbidden", message);
  }
};

Routed queue_log(const Call& c) {
  const std::string type = media_type(c.req[http::field::content_type]);
  if (!type.empty() && type != "text/plain" && type != "application/octet-stream") {
    return c.refuse(RequestRejection::kUnsupportedMediaType, http::status::unsupported_media_type,
                    "unsupported_media_type",
                    "Content-Type must be text/plain (queue_log lines), not `" + type + "`");
  }
  const auto source = c.source("asterisk");
  if (!source) return Routed::kAnswering;
  std::string inflated;
  const auto body = c.body(inflated);
  if (!body) return Routed::kAnswering;
  const auto& q = c.rc.config->adapters.asterisk_queue_log;
  ad::QueueLogOptions options;
  options.source = *source;
  options.wrapup = q.wrapup;
  options.strip_member_technology = q.strip_member_technology;
  // Mapped with a copy of the source's agent memory, kept only once the
  // delivery is taken: a refused one (503) is resent and must map the same.
  auto next = std::make_shared<ad::QueueLogState>();
  ad::AdapterBatch batch = c.server().adapters.with_queue_log_state(
      *source, c.rc.config->adapters.max_sources, [&](ad::QueueLogState& state) {
        *next = state;
        return ad::map_queue_log(*body, options, *next);
      });
  c.ingest(AdapterKind::kAsteriskQueueLog, *source, std::move(batch), "line",
           [reply = c.json_reply(), hub = &c.server().adapters, source = *source,
            max_sources = c.rc.config->adapters.max_sources, next](const AdapterOutcome& o) {
             if (o.failure == AdapterOutcome::Failure::kNone) {
               hub->with_queue_log_state(source, max_sources, [&](ad::QueueLogState& state) {
                 state = std::move(*next);
               });
             }
             return reply(o);
           });
  return Routed::kAnswering;
}

// The URL Twilio signed: the configured public base (behind a proxy the
// daemon cannot know the scheme, host and port Twilio used), else the
// scheme of the listener and the Host header, followed by the request
// target exactly as received.
std::string twilio_url(const Call& c) {
  const auto& t = c.rc.config->adapters.twilio;
  std::string url;
  if (!t.public_base_url.empty()) {
    url = t.public_base_url;
  } else {
    url = c.rc.config->tls.enabled() ? "https://" : "http://";
    url += c.req[http::field::host];
  }
  url += c.req.target();
  return url;
}

Routed twilio(const Call& c) {
  const auto& t = c.rc.config->adapters.twilio;
  if (t.auth_token.empty()) return c.disabled("adapters.twilio.auth_token");
  const std::string type = media_type(c.req[http::field::content_type]);
  const bool form = type == "application/x-www-form-urlencoded";
  const bool json = type == "application/json" || type == "application/cloudevents+json" ||
                    type == "application/cloudevents-batch+json";
  if (!form && !json) {
    return c.refuse(RequestRejection::kUnsupportedMediaType, http::status::unsupported_media_type,
                    "unsupported_media_type",
                    "Content-Type must be application/x-www-form-urlencoded (EventCallbackUrl) "
                    "or application/json (Event Streams), not `" +
                        type + "`");
  }
  const std::string_view signature = c.req["X-Twilio-Signature"];
  if (signature.empty()) {
    // 403 as for a wrong one: Twilio's own answer to an unsigned request.
    constexpr std::string_view kMessage = "X-Twilio-Signature is required";
    return c.auth_refused(
        AdapterKind::kTwilio, AdapterAuthFailure::kMissing, kMessage,
        json_error(http::status::forbidden, "forbidden", kMessage, c.version, c.keep_alive));
  }
  std::string inflated;
  const auto body = c.body(inflated);
  if (!body) return Routed::kAnswering;
  const std::string url = twilio_url(c);
  bool valid = false;
  if (form) {
    std::string error;
    const auto params = ad::decode_form(*body, error);
    if (!params) {
      return c.refuse(RequestRejection::kUnreadable, http::status::bad_request, "invalid_form",
                      "the form cannot be read, so its signature cannot be checked: " + error);
    }
    valid = ad::twilio_signature_valid(t.auth_token, url, *params, signature);
  } else {
    valid = ad::twilio_body_signature_valid(t.auth_token, url, *body, signature);
  }
  if (!valid) {
    return c.auth_refused(AdapterKind::kTwilio, AdapterAuthFailure::kInvalid,
                          "X-Twilio-Signature does not match (check adapters.twilio.auth_token "
                          "and adapters.twilio.public_base_url: the URL Twilio called)");
  }
  const auto source = c.source("twilio");
  if (!source) return Routed::kAnswering;
  ad::TwilioOptions options;
  options.source = *source;
  options.worker_name_as_agent = t.worker_name_as_agent;
  ad::AdapterBatch batch = form ? ad::map_taskrouter_callback(*body, options)
                                : ad::map_twilio_event_streams(*body, options);
  c.ingest(AdapterKind::kTwilio, *source, std::move(batch), form ? "callback" : "event",
           c.json_reply());
  return Routed::kAnswering;
}

// The key of an EventBridge API destination: `X-Api-Key: <key>` or
// `Authorization: Bearer <key>`; empty when neither.
std::string_view connect_key(const Request& req) {
  if (const std::string_view k = req["X-Api-Key"]; !k.empty()) return k;
  std::string_view a = req[http::field::authorization];
  constexpr std::string_view kBearer = "bearer ";
  if (a.size() <= kBearer.size()) return {};
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != kBearer[i]) return {};
  }
  return a.substr(kBearer.size());
}

Routed connect_events(const Call& c) {
  const auto& key = c.rc.config->adapters.amazon_connect.api_key;
  if (key.empty()) return c.disabled("adapters.amazon_connect.api_key");
  const std::string_view presented = connect_key(c.req);
  if (presented.empty()) {
    return c.auth_refused(AdapterKind::kAmazonConnect, AdapterAuthFailure::kMissing,
                          "an `X-Api-Key` or `Authorization: Bearer` header is required");
  }
  if (!secret_equal(presented, key)) {
    return c.auth_refused(AdapterKind::kAmazonConnect, AdapterAuthFailure::kInvalid,
                          "the API key is not adapters.amazon_connect.api_key");
  }
  const std::string type = media_type(c.req[http::field::content_type]);
  if (!type.empty() && type != "application/json") {
    return c.refuse(RequestRejection::kUnsupportedMediaType, http::status::unsupported_media_type,
                    "unsupported_media_type",
                    "Content-Type must be application/json, not `" + type + "`");
  }
  const auto source = c.source("connect");
  if (!source) return Routed::kAnswering;
  std::string inflated;
  const auto body = c.body(inflated);
  if (!body) return Routed::kAnswering;
  ad::ConnectOptions options;
  options.source = *source;
  c.ingest(AdapterKind::kAmazonConnect, *source, ad::map_connect_contact_events(*body, options),
           "event", c.json_reply());
  return Routed::kAnswering;
}

// Firehose expects its own JSON answer to everything, errors included
// (Firehose Developer Guide, "HTTP endpoint delivery request and response
// specifications"): the request id echoed, a timestamp in ms, and
// errorMessage when the status is not 200.
Response firehose_answer(http::status status, std::string_view request_id, std::int64_t now_ms,
                         std::string_view error, unsigned version, bool keep_alive) {
  return json_response(status, ad::firehose_response(request_id, now_ms, error), version,
                       keep_alive);
}

Routed connect_agent_events(const Call& c) {
  const auto& key = c.rc.config->adapters.amazon_connect.firehose_access_key;
  if (key.empty()) return c.disabled("adapters.amazon_connect.firehose_access_key");
  const std::int64_t now_ms = c.server().runner.wall_now() / 1000;
  const std::string header_id(c.req["X-Amz-Firehose-Request-Id"]);
  const std::string_view presented = c.req["X-Amz-Firehose-Access-Key"];
  if (presented.empty() || !secret_equal(presented, key)) {
    const bool missing = presented.empty();
    const std::string_view message = missing ? "X-Amz-Firehose-Access-Key is required"
                                             : "the access key is not "
                                               "adapters.amazon_connect.firehose_access_key";
    return c.auth_refused(
        AdapterKind::kAmazonConnect,
        missing ? AdapterAuthFailure::kMissing : AdapterAuthFailure::kInvalid, message,
        firehose_answer(missing ? http::status::unauthorized : http::status::forbidden, header_id,
                        now_ms, message, c.version, c.keep_alive));
  }
  const auto source = c.source("connect");
  if (!source) return Routed::kAnswering;
  std::string inflated;
  const auto body = c.body(inflated);
  if (!body) return Routed::kAnswering;
  ad::ConnectOptions options;
  options.source = *source;
  ad::ConnectAgentResult mapped = ad::map_connect_agent_firehose(*body, options);
  const std::string request_id = mapped.request_id.empty() ? header_id : mapped.request_id;
  if (!mapped.readable) {
    c.metrics().request_rejected(RequestRejection::kUnreadable);
    c.server().adapters.log_warning("adapter amazon_connect source " + *source +
                                    ": unreadable Firehose request: " + mapped.error);
    return c.answer(firehose_answer(http::status::bad_request, request_id, now_ms,
                                    "unreadable request: " + mapped.error, c.version,
                                    c.keep_alive));
  }
  c.ingest(AdapterKind::kAmazonConnect, *source, std::move(mapped.batch), "record",
           [metrics = &c.metrics(), request_id, now_ms, version = c.version,
            keep_alive = c.keep_alive](const AdapterOutcome& o) {
             if (auto refused = Call::failure_response(o, *metrics, version, keep_alive)) {
               // Firehose retries anything but 200: keep the status, answer its way.
               return firehose_answer(refused->result(), request_id, now_ms,
                                      "not stored; retry later", version, keep_alive);
             }
             // Malformed records are counted and logged but acknowledged:
             // a retry would bring them back unchanged.
             return firehose_answer(http::status::ok, request_id, now_ms, {}, version, keep_alive);
           });
  return Routed::kAnswering;
}

}  // namespace

bool is_adapter_path(std::string_view path) {
  return path == kQueueLogPath || path == kTwilioPath || path == kConnectEventsPath ||
         path == kConnectAgentPath;
}

Routed route_adapter(const Request& req, const RequestContext& rc,
                     std::shared_ptr<Responder> responder) {
  const Call c{{req, rc, std::move(responder)}};
  const std::string& path = c.target.path;
  if (path == kQueueLogPath) return queue_log(c);
  if (path == kTwilioPath) return twilio(c);
  if (path == kConnectEventsPath) return connect_events(c);
  return connect_agent_events(c);
}

}  // namespace ccmon::server
