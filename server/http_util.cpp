#include "server/http_util.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace ccmon::server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Response text_response(http::status status, std::string body, std::string_view content_type,
                       unsigned version, bool keep_alive) {
  Response res{status, version};
  res.set(http::field::content_type, content_type);
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_response(http::status status, std::string body, unsigned version, bool keep_alive) {
  return text_response(status, std::move(body), "application/json", version, keep_alive);
}

Response json_error(http::status status, std::string_view code, std::string_view message,
                    unsigned version, bool keep_alive) {
  nlohmann::json body = {{"error", code}, {"message", message}};
  return json_response(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       version, keep_alive);
}

Target parse_target(std::string_view target) {
  Target out;
  const auto q = target.find('?');
  out.path = std::string(target.substr(0, q));
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    out.query[percent_decode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1));
  }
  return out;
}

std::string media_type(std::string_view content_type) {
  std::string out(content_type.substr(0, content_type.find(';')));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  while (!out.empty() && (out.front() == ' ' || out.front() == '\t')) out.erase(out.begin());
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace ccmon::server
