#include "tools/bank/line_reader.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace ccmon::bank {

LineReader::~LineReader() {
  if (file_ != nullptr) gzclose(static_cast<gzFile>(file_));
}

bool LineReader::open(const std::string& path, std::string& error) {
  // gzdopen/gzopen pass plain (uncompressed) input through unchanged.
  gzFile f = path == "-" ? gzdopen(0, "rb") : gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  gzbuffer(f, 1 << 17);
  file_ = f;
  return true;
}

bool LineReader::next(std::string& line) {
  line.clear();
  if (file_ == nullptr) return false;
  gzFile f = static_cast<gzFile>(file_);
  char buf[4096];
  // gzgets stops at a newline or a full buffer: long lines take several calls.
  while (gzgets(f, buf, sizeof buf) != nullptr) {
    line += buf;
    if (!line.empty() && line.back() == '\n') {
      line.pop_back();
      return true;
    }
  }
  int code = Z_OK;
  const char* message = gzerror(f, &code);
  if (code != Z_OK && code != Z_STREAM_END) {
    error_ = message;
    return false;
  }
  return !line.empty();  // last line without a trailing newline
}

}  // namespace ccmon::bank
