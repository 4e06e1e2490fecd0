#include "server/exchange.hpp"

#include <string>

#include "server/gzip.hpp"

namespace ccmon::server {

std::optional<Encoding> content_encoding(std::string_view header) {
  const std::string coding = media_type(header);  // trimmed, lower-cased
  if (coding.empty() || coding == "identity") return Encoding::kIdentity;
  if (coding == "gzip" || coding == "x-gzip") return Encoding::kGzip;
  return std::nullopt;
}

Response retry_later(SelfMetrics& metrics, RequestRejection reason, std::string_view code,
                     std::string_view message, unsigned version, bool keep_alive) {
  auto res = refuse(metrics, reason, http::status::service_unavailable, code, message, version,
                    keep_alive);
  res.set(http::field::retry_after, "1");
  return res;
}

std::optional<std::string_view> Exchange::body(std::string& inflated) const {
  const auto encoding = content_encoding(req[http::field::content_encoding]);
  if (!encoding) {
    refuse(RequestRejection::kUnsupportedMediaType, http::status::unsupported_media_type,
           "unsupported_media_type",
           "Content-Encoding must be gzip or identity, not `" +
               std::string(req[http::field::content_encoding]) + "`");
    return std::nullopt;
  }
  if (*encoding == Encoding::kIdentity) return std::string_view(req.body());
  const std::size_t limit = rc.config->limits.max_body_bytes;
  switch (gunzip(req.body(), limit, inflated)) {
    case Inflate::kOk:
      return std::string_view(inflated);
    case Inflate::kTooLarge:
      refuse(RequestRejection::kBodyTooLarge, http::status::payload_too_large, "too_large",
             "decompressed request body is over the limit of " + std::to_string(limit) + " bytes");
      return std::nullopt;
    case Inflate::kCorrupt:
      break;
  }
  refuse(RequestRejection::kUnreadable, http::status::bad_request, "invalid_gzip",
         "request body is not valid gzip data");
  return std::nullopt;
}

}  // namespace ccmon::server
