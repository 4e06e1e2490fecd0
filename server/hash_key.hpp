// The per-process secret key for hashing client strings
// (core/hash/keyed_hash.hpp), drawn from the operating system.
#pragma once

#include "core/hash/keyed_hash.hpp"

namespace ccmon::server {

// 16 bytes from getrandom(2) (the kernel's CSPRNG; blocks only until it is
// seeded at boot). Throws std::system_error when the kernel refuses.
core::HashKey random_hash_key();

}  // namespace ccmon::server
