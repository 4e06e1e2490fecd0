#include "core/hash/keyed_hash.hpp"

#include <sodium/crypto_shorthash_siphash24.h>

#include <cstring>

namespace ccmon::core {

static_assert(sizeof(HashKey::bytes) == crypto_shorthash_siphash24_KEYBYTES);

std::uint64_t keyed_hash(const HashKey& key, std::string_view s) {
  // crypto_shorthash_siphash24 is pure computation (no sodium_init needed).
  unsigned char out[crypto_shorthash_siphash24_BYTES];
  crypto_shorthash_siphash24(out, reinterpret_cast<const unsigned char*>(s.data()), s.size(),
                             key.bytes.data());
  std::uint64_t h;
  std::memcpy(&h, out, sizeof h);  // the PRF's output bytes; byte order is immaterial
  return h;
}

}  // namespace ccmon::core
