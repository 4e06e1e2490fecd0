// A fixed list of short names (event types, event fields), looked up among
// the names of the key's length only: the codec looks up every key and the
// type of every event, and a scan of all 23 type names cost about 160
// instructions per event (callgrind, the benchmark's large center's day).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ccmon::core {

// `names` are distinct, at most MaxLength bytes, at most PerLength of one
// length; a list that breaks that does not compile when the table is
// constexpr (an index out of range is not a constant expression). Read-only
// after construction: safe to share between threads.
template <std::size_t Count, std::size_t MaxLength, std::size_t PerLength>
class NamesByLength {
  static_assert(Count <= 256, "positions are kept in a byte");

 public:
  constexpr explicit NamesByLength(const std::array<std::string_view, Count>& names)
      : names_(names) {
    for (std::size_t i = 0; i < Count; ++i) {
      const std::size_t n = names[i].size();
      index_[n][count_[n]++] = static_cast<std::uint8_t>(i);
    }
  }

  // The position of `key` in the list, or nullopt.
  constexpr std::optional<std::size_t> find(std::string_view key) const {
    const std::size_t n = key.size();
    if (n > MaxLength) return std::nullopt;
    for (std::uint8_t j = 0; j < count_[n]; ++j) {
      const std::string_view name = names_[index_[n][j]];
      // Names are short: a byte loop beats a call to memcmp.
      std::size_t k = 0;
      while (k < n && name[k] == key[k]) ++k;
      if (k == n) return index_[n][j];
    }
    return std::nullopt;
  }

 private:
  std::array<std::string_view, Count> names_;
  std::array<std::array<std::uint8_t, PerLength>, MaxLength + 1> index_{};
  std::array<std::uint8_t, MaxLength + 1> count_{};
};

}  // namespace ccmon::core
