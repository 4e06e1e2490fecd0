// NDJSON to a file or standard output: every batch written is acknowledged.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "tools/sim/sender.hpp"

namespace ccmon::sim {

namespace {

class FileSender final : public Sender {
 public:
  explicit FileSender(const std::string& path) : path_(path) {
    if (path == "-") {
      file_ = stdout;
    } else {
      file_ = std::fopen(path.c_str(), "wb");
      if (!file_) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
      owned_ = true;
    }
  }
  ~FileSender() override {
    if (owned_) std::fclose(file_);
  }

  void send(std::string_view frame, std::size_t events) override {
    if (std::fwrite(frame.data(), 1, frame.size(), file_) != frame.size()) fail();
    ack_.events += events;
    ack_.accepted += events;
    ++ack_.batches;
  }

  void finish() override {
    if (std::fflush(file_) != 0) fail();
  }

 private:
  [[noreturn]] void fail() {
    throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
};

}  // namespace

std::unique_ptr<Sender> make_file_sender(const std::string& path) {
  return std::make_unique<FileSender>(path);
}

}  // namespace ccmon::sim
