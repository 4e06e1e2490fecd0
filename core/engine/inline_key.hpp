// An id string stored inside its record up to kInline bytes (a UUID is 36),
// on the heap only beyond: a lookup compares the key without another cache
// miss, and tracking a contact costs no allocation of its own.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace ccmon::core::engine_detail {

class InlineKey {
 public:
  static constexpr std::size_t kInline = 44;  // 56 bytes in all

  void assign(std::string_view s) {
    heap_.reset();
    size_ = static_cast<std::uint32_t>(s.size());
    char* dst = buf_;
    if (s.size() > kInline) {
      heap_ = std::make_unique<char[]>(s.size());
      dst = heap_.get();
    }
    if (!s.empty()) std::memcpy(dst, s.data(), s.size());
  }
  void clear() {
    heap_.reset();
    size_ = 0;
  }
  std::string_view view() const { return {heap_ ? heap_.get() : buf_, size_}; }

 private:
  std::unique_ptr<char[]> heap_;
  std::uint32_t size_ = 0;
  char buf_[kInline];
};

}  // namespace ccmon::core::engine_detail
