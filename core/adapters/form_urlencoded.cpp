#include "core/adapters/form_urlencoded.hpp"

namespace ccmon::core::adapters {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in` into `out`; false on a malformed escape.
bool unescape(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (in.size() - i < 3) return false;  // needs '%' and two hex digits
      const int hi = hex_digit(in[i + 1]);
      const int lo = hex_digit(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

}  // namespace

std::optional<FormParams> decode_form(std::string_view body, std::string& error,
                                      const FormLimits& limits) {
  FormParams params;
  std::size_t start = 0;
  while (start <= body.size()) {
    const std::size_t amp = body.find('&', start);
    const std::size_t end = amp == std::string_view::npos ? body.size() : amp;
    const std::string_view seg = body.substr(start, end - start);
    start = end + 1;
    if (seg.empty()) {
      if (amp == std::string_view::npos) break;
      continue;
    }
    if (params.size() >= limits.max_params) {
      error = "more than " + std::to_string(limits.max_params) + " form parameters";
      return std::nullopt;
    }
    const std::size_t eq = seg.find('=');
    std::pair<std::string, std::string> p;
    if (!unescape(seg.substr(0, eq), p.first) ||
        !unescape(eq == std::string_view::npos ? std::string_view{} : seg.substr(eq + 1),
                  p.second)) {
      error = "malformed %-escape in form parameter " + std::to_string(params.size() + 1);
      return std::nullopt;
    }
    if (p.first.size() > limits.max_name_bytes) {
      error = "form parameter name longer than " + std::to_string(limits.max_name_bytes) + " bytes";
      return std::nullopt;
    }
    if (p.second.size() > limits.max_value_bytes) {
      error = "form parameter `" + p.first + "`: value longer than " +
              std::to_string(limits.max_value_bytes) + " bytes";
      return std::nullopt;
    }
    params.push_back(std::move(p));
    if (amp == std::string_view::npos) break;
  }
  return params;
}

std::optional<std::string_view> form_value(const FormParams& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace ccmon::core::adapters
