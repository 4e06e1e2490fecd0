// Small HTTP helpers shared by the router and the sessions: answers,
// request targets, media types.
#pragma once

#include <boost/beast/http.hpp>
#include <map>
#include <string>
#include <string_view>

namespace ccmon::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// {"error": code, "message": message} with the given status
// (Content-Type application/json).
Response json_error(http::status status, std::string_view code, std::string_view message,
                    unsigned version, bool keep_alive);
Response json_response(http::status status, std::string body, unsigned version, bool keep_alive);
Response text_response(http::status status, std::string body, std::string_view content_type,
                       unsigned version, bool keep_alive);

struct Target {
  std::string path;
  std::map<std::string, std::string> query;  // percent-decoded; `+` is a space
};
// Splits "/path?k=v&k2=v2"; a repeated key keeps its last value.
Target parse_target(std::string_view target);

// The media type without parameters, lower-cased ("application/json").
std::string media_type(std::string_view content_type);

}  // namespace ccmon::server
