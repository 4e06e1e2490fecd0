#include "core/adapters/adapter.hpp"

#include <array>

namespace ccmon::core::adapters {

std::string_view to_string(RecordOutcome o) {
  static constexpr std::array<std::string_view, kRecordOutcomeCount> kNames = {
      "mapped", "ignored", "unknown", "rejected"};
  return kNames[static_cast<std::size_t>(o)];
}

void AdapterBatch::issue(std::size_t record, RecordOutcome o, std::string_view code,
                         std::string message) {
  note(o);
  const std::string_view cut = code.substr(0, kMaxCodeBytes);
  if (o == RecordOutcome::kUnknown) {
    bool counted = false;
    for (auto& [name, n] : unknown_kinds) {
      if (name == cut) {
        ++n;
        counted = true;
        break;
      }
    }
    if (!counted) {
      if (unknown_kinds.size() < kMaxUnknownKinds) {
        unknown_kinds.emplace_back(std::string(cut), 1);
      } else if (unknown_kinds.size() == kMaxUnknownKinds) {
        unknown_kinds.emplace_back("(other)", 1);
      } else {
        ++unknown_kinds.back().second;
      }
    }
  }
  if (issues.size() < kMaxIssues) {
    issues.push_back(RecordIssue{record, o, std::string(cut), std::move(message)});
  } else {
    ++issues_dropped;
  }
}

bool valid_source_name(std::string_view source) {
  if (source.empty() || source.size() > kMaxSourceBytes) return false;
  for (const char c : source) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::size_t max_native_id_bytes(std::string_view source, std::size_t suffix_bytes) {
  const std::size_t used = source.size() + 1 + suffix_bytes;
  return used < kMaxIdBytes ? kMaxIdBytes - used : 0;
}

bool admit_source(std::string_view source, AdapterBatch& out) {
  if (valid_source_name(source)) return true;
  out.issue(0, RecordOutcome::kRejected, "invalid_source",
            "the source name must be 1..32 bytes of [A-Za-z0-9_.-]");
  return false;
}

bool admit_body(std::string_view source, std::string_view body, std::size_t max_body_bytes,
                AdapterBatch& out) {
  if (!admit_source(source, out)) return false;
  if (body.size() <= max_body_bytes) return true;
  out.issue(0, RecordOutcome::kRejected, "too_large",
            "body of " + std::to_string(body.size()) + " bytes, more than " +
                std::to_string(max_body_bytes));
  return false;
}

bool valid_name_text(std::string_view s) {
  // UTF-8 per RFC 3629 section 4 (the well-formed byte sequences table).
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (b < 0x20 || b == 0x7f) return false;
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      len = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b == 0xe0) lo = 0xa0;
      if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b == 0xf0) lo = 0x90;
      if (b == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b1 < lo || b1 > hi) return false;
    for (std::size_t k = 2; k < len; ++k) {
      const auto bk = static_cast<unsigned char>(s[i + k]);
      if (bk < 0x80 || bk > 0xbf) return false;
    }
    i += len;
  }
  return true;
}

std::string fnv1a64_hex(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[h & 0xf];
    h >>= 4;
  }
  return out;
}

}  // namespace ccmon::core::adapters
