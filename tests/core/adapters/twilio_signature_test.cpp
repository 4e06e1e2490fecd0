// X-Twilio-Signature. Expected values computed with OpenSSL's command line,
// independently of this code (each pipeline one line in a shell):
//   U='https://ccmon.example.com/v1/adapters/twilio/taskrouter?source=main'
//   printf '%s' "${U}EventTypetask.createdTaskSidWT01Timestamp1795338000WorkspaceSidWS01"
//     | openssl dgst -sha1 -hmac 12345 -binary | base64   -> fyS60okpWHTOGOdgUKeXwj4R1hU=
//   printf '%s' "${U}NameA BNamea&b" | openssl dgst -sha1 -hmac 12345 -binary | base64
//                                                         -> iuBZ3+gqMXiZUtIuobfeqEC1JpU=
//   printf '%s' '[{"id":"EV1"}]' | openssl dgst -sha256 -r
//     -> 57de2882cc89c2df70a9217cbb6df540ade45b698faae11d10475796698548c6
//   V='https://ccmon.example.com/v1/adapters/twilio/event-streams?bodySHA256=57de...48c6'
//   printf '%s' "$V" | openssl dgst -sha1 -hmac 12345 -binary | base64
//                                                         -> NSBzTzmph6xs0puDTdQ2mVToMq0=
#include "core/adapters/twilio_signature.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace ccmon::core::adapters;

namespace {
constexpr std::string_view kUrl =
    "https://ccmon.example.com/v1/adapters/twilio/taskrouter?source=main";
constexpr std::string_view kToken = "12345";
}  // namespace

TEST_CASE("the signature sorts parameters by name and signs URL + name + value") {
  // Given out of order: the signature must not depend on body order.
  const FormParams params = {{"WorkspaceSid", "WS01"},
                             {"TaskSid", "WT01"},
                             {"EventType", "task.created"},
                             {"Timestamp", "1795338000"}};
  CHECK(twilio_signature(kToken, kUrl, params) == "fyS60okpWHTOGOdgUKeXwj4R1hU=");
  CHECK(twilio_signature_valid(kToken, kUrl, params, "fyS60okpWHTOGOdgUKeXwj4R1hU="));
}

TEST_CASE("a repeated name signs its values in sorted order") {
  std::string error;
  const auto params = decode_form("Name=a%26b&Name=A+B", error);
  REQUIRE(params);
  CHECK(twilio_signature(kToken, kUrl, *params) == "iuBZ3+gqMXiZUtIuobfeqEC1JpU=");
}

TEST_CASE("bad signatures are refused") {
  const FormParams params = {{"EventType", "task.created"},
                             {"TaskSid", "WT01"},
                             {"Timestamp", "1795338000"},
                             {"WorkspaceSid", "WS01"}};
  const std::string good = "fyS60okpWHTOGOdgUKeXwj4R1hU=";
  CHECK_FALSE(twilio_signature_valid(kToken, kUrl, params, ""));
  CHECK_FALSE(twilio_signature_valid(kToken, kUrl, params, "fyS60okpWHTOGOdgUKeXwj4R1hV="));
  CHECK_FALSE(twilio_signature_valid(kToken, kUrl, params, good + "x"));
  CHECK_FALSE(twilio_signature_valid("54321", kUrl, params, good));  // other token
  CHECK_FALSE(twilio_signature_valid("", kUrl, params, good));       // no token configured
  CHECK_FALSE(twilio_signature_valid(
      kToken, "http://ccmon.example.com/v1/adapters/twilio/taskrouter?source=main", params, good));
  FormParams tampered = params;
  tampered[1].second = "WT02";
  CHECK_FALSE(twilio_signature_valid(kToken, kUrl, tampered, good));
  CHECK_FALSE(twilio_signature_valid(kToken, kUrl, params, std::string(100000, 'A')));
}

TEST_CASE("JSON bodies: the URL signature and bodySHA256") {
  const std::string url =
      "https://ccmon.example.com/v1/adapters/twilio/event-streams?bodySHA256="
      "57de2882cc89c2df70a9217cbb6df540ade45b698faae11d10475796698548c6";
  const std::string body = R"([{"id":"EV1"}])";
  CHECK(twilio_body_signature_valid(kToken, url, body, "NSBzTzmph6xs0puDTdQ2mVToMq0="));
  CHECK_FALSE(twilio_body_signature_valid(kToken, url, body + " ", "NSBzTzmph6xs0puDTdQ2mVToMq0="));
  CHECK_FALSE(twilio_body_signature_valid(kToken, url, body, "NSBzTzmph6xs0puDTdQ2mVToMq0x"));
  // No bodySHA256 in the URL: the body is not covered, refuse.
  const std::string bare = "https://ccmon.example.com/v1/adapters/twilio/event-streams";
  CHECK_FALSE(twilio_body_signature_valid(kToken, bare, body, twilio_signature(kToken, bare, {})));
}
