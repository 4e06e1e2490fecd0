#include "config/units.hpp"

#include <array>
#include <limits>

namespace ccmon::config {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads the leading decimal digits of `text` into `out`; false on overflow or
// when there are none.
bool take_integer(std::string_view& text, std::uint64_t& out) {
  std::size_t i = 0;
  out = 0;
  while (i < text.size() && is_digit(text[i])) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (out > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    out = out * 10 + digit;
    ++i;
  }
  text.remove_prefix(i);
  return i > 0;
}

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

bool checked_mul_add(std::uint64_t amount, std::uint64_t factor, std::uint64_t limit,
                     std::uint64_t& total) {
  if (amount != 0 && factor > limit / amount) return false;
  const std::uint64_t part = amount * factor;
  if (part > limit - total) return false;
  total += part;
  return true;
}

}  // namespace

std::optional<core::Duration> parse_duration(std::string_view text) {
  if (text == "0") return core::Duration{0};
  // Largest first; "ms" before "m" so the longer suffix wins at one position.
  constexpr std::uint64_t kUs = 1'000'000;
  constexpr std::array<Unit, 7> kUnits = {{{"y", 365 * 86400 * kUs},
                                           {"w", 7 * 86400 * kUs},
                                           {"d", 86400 * kUs},
                                           {"h", 3600 * kUs},
                                           {"ms", 1000},
                                           {"m", 60 * kUs},
                                           {"s", kUs}}};
  // Rank in the required order (ms ranks below s although listed before m).
  constexpr std::array<int, 7> kRank = {0, 1, 2, 3, 6, 4, 5};
  constexpr auto kLimit = static_cast<std::uint64_t>(std::numeric_limits<core::Duration>::max());
  if (text.empty()) return std::nullopt;
  std::uint64_t total = 0;
  int last_rank = -1;
  while (!text.empty()) {
    std::uint64_t amount = 0;
    if (!take_integer(text, amount)) return std::nullopt;
    std::size_t u = 0;
    while (u < kUnits.size() && !text.starts_with(kUnits[u].name)) ++u;
    if (u == kUnits.size()) return std::nullopt;
    if (kRank[u] <= last_rank) return std::nullopt;  // out of order or repeated
    last_rank = kRank[u];
    text.remove_prefix(kUnits[u].name.size());
    if (!checked_mul_add(amount, kUnits[u].factor, kLimit, total)) return std::nullopt;
  }
  return static_cast<core::Duration>(total);
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  constexpr std::array<Unit, 9> kUnits = {{{"B", 1},
                                           {"KiB", 1ULL << 10},
                                           {"MiB", 1ULL << 20},
                                           {"GiB", 1ULL << 30},
                                           {"TiB", 1ULL << 40},
                                           {"KB", 1'000},
                                           {"MB", 1'000'000},
                                           {"GB", 1'000'000'000},
                                           {"TB", 1'000'000'000'000}}};
  std::uint64_t amount = 0;
  if (!take_integer(text, amount)) return std::nullopt;
  if (text.empty()) return amount;
  for (const Unit& unit : kUnits) {
    if (text == unit.name) {
      std::uint64_t total = 0;
      if (!checked_mul_add(amount, unit.factor, std::numeric_limits<std::uint64_t>::max(), total))
        return std::nullopt;
      return total;
    }
  }
  return std::nullopt;
}

}  // namespace ccmon::config
