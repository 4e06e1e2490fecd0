#include "config/config.hpp"

namespace ccmon::config {

std::string to_string(const ConfigError& e) {
  std::string out = e.file;
  if (e.line > 0) {
    out += ':' + std::to_string(e.line);
    if (e.column > 0) out += ':' + std::to_string(e.column);
  }
  return out + ": " + e.message;
}

}  // namespace ccmon::config
