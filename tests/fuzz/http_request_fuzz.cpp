// libFuzzer target: bytes a client sends on one HTTP/1.1 connection ->
// Beast's request parser with the daemon's limits (server/http_session.cpp:
// a fresh parser per request, 16 KiB of header) -> the pure request helpers
// of server/http_util.hpp (target and query, media type, bearer token).
//
// The bytes arrive in chunks of a size chosen by the first input byte, as
// TCP segments would, so that every parser state sees a chunk boundary.
// Pipelined requests are read one after the other, as keep-alive does.
// Routing itself is not covered yet: docs/fuzzing.md says why.
#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth.hpp"
#include "server/http_util.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t kHeaderLimit = 16 * 1024;  // as server/http_session.cpp
constexpr std::size_t kBodyLimit = 64 * 1024;    // small stand-in for limits.max_body_bytes

// Exercises the helpers on one parsed request, as HttpSession::handle does.
void handle(const ccmon::server::Request& req) {
  const ccmon::server::Target target = ccmon::server::parse_target(req.target());
  CCMON_FUZZ_CHECK(target.path.size() <= req.target().size());
  const std::string type = ccmon::server::media_type(req[http::field::content_type]);
  CCMON_FUZZ_CHECK(type.size() <= req[http::field::content_type].size());
  using ccmon::server::Role;
  const auto header = req[http::field::authorization];
  const std::string_view authorization(header.data(), header.size());
  static const ccmon::config::AuthConfig kAuth{{"s3cret-ingest"}, {"s3cret-other"}, {}};
  for (const Role role : {Role::kIngest, Role::kRead, Role::kAdmin}) {
    (void)ccmon::server::check_access(authorization, kAuth, role);
  }
  // Auth off: every role is open.
  CCMON_FUZZ_CHECK(!ccmon::server::check_access(authorization, {}, Role::kIngest));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  beast::flat_buffer buffer;
  for (int requests = 0; requests < 64; ++requests) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
    beast::error_code ec;
    while (!parser.is_done()) {
      if (buffer.size() > 0) {
        const std::size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == http::error::need_more) {
          ec = {};
        } else if (ec) {
          return 0;  // the session answers 400/413/431 and closes
        } else if (used > 0) {
          continue;
        }
      }
      if (rest.empty()) {
        // The peer closed the connection: as http::read does, only a
        // started message gets end-of-file (an idle one just ends).
        if (!parser.got_some()) return 0;
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return 0;
        break;
      }
      const std::size_t n = std::min(chunk, rest.size());
      const auto dest = buffer.prepare(n);
      std::memcpy(dest.data(), rest.data(), n);
      buffer.commit(n);
      rest.remove_prefix(n);
    }
    const ccmon::server::Request& req = parser.get();
    CCMON_FUZZ_CHECK(req.body().size() <= kBodyLimit);
    handle(req);
    if (!parser.keep_alive()) return 0;
  }
  return 0;
}
