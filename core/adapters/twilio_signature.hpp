// Twilio request signatures (Twilio docs, "Webhooks security"):
// X-Twilio-Signature = base64(HMAC-SHA1(auth token, URL + for each POST
// parameter sorted by name (byte order), its name then its value)). For a
// JSON body (Event Streams webhooks) the parameters are none and the URL
// carries `bodySHA256` = lowercase hex SHA-256 of the body. HMAC, SHA-256
// and base64 come from OpenSSL libcrypto. Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/adapters/form_urlencoded.hpp"

namespace ccmon::core::adapters {

// The expected signature (base64) of a form POST to `url` (the full URL
// Twilio called: scheme, host, port if any, path and query).
std::string twilio_signature(std::string_view auth_token, std::string_view url,
                             const FormParams& params);

// True when `header` equals twilio_signature(...), compared in constant time.
bool twilio_signature_valid(std::string_view auth_token, std::string_view url,
                            const FormParams& params, std::string_view header);

// A JSON-body request: the signature over `url` alone, and the URL's
// `bodySHA256` query parameter equal to the SHA-256 of `body`.
bool twilio_body_signature_valid(std::string_view auth_token, std::string_view url,
                                 std::string_view body, std::string_view header);

}  // namespace ccmon::core::adapters
