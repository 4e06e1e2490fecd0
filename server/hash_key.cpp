#include "server/hash_key.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstddef>
#include <system_error>

namespace ccmon::server {

core::HashKey random_hash_key() {
  core::HashKey key;
  std::size_t done = 0;
  while (done < key.bytes.size()) {
    const ssize_t n = getrandom(key.bytes.data() + done, key.bytes.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom (hash key)");
    }
    done += static_cast<std::size_t>(n);
  }
  return key;
}

}  // namespace ccmon::server
