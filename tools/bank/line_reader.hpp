// Reads lines from a gzip file or a plain text file (zlib reads both), or
// from standard input for "-".
#pragma once

#include <string>

namespace ccmon::bank {

class LineReader {
 public:
  LineReader() = default;
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  ~LineReader();

  // False, with `error` set, when the file cannot be opened.
  bool open(const std::string& path, std::string& error);
  // Next line without its '\n'; false at end of input or on a read error
  // (then error() is non-empty).
  bool next(std::string& line);
  const std::string& error() const { return error_; }

 private:
  void* file_ = nullptr;  // gzFile; kept opaque so zlib.h stays out of the header
  std::string error_;
};

}  // namespace ccmon::bank
