// libFuzzer target: bytes a client sends after a WebSocket upgrade ->
// Beast's server-side frame reader with the daemon's settings
// (server/websocket_session.cpp: no compression, a message size cap) ->
// each complete text message decoded as NDJSON by core::Decoder, as the
// session does, with a short reply written back like its acks.
//
// Frames a client sends must be masked; a zero masking key leaves the
// payload readable, which is how the seeds are written (docs/fuzzing.md).
// The stream is Beast's in-memory test stream: reads deliver at most the
// chunk size chosen by the first input byte, then end of stream.
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/codec/codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

// Small stand-in for limits.max_ws_message_bytes, so that the 1009 close
// (message too big) is reachable within libFuzzer's input sizes.
constexpr std::size_t kMessageMax = 2048;
constexpr ccmon::core::Timestamp kNow = ccmon::core::seconds(1'795'338'900);

// The upgrade request HttpSession hands to WebSocketSession::run.
http::request<http::string_body> upgrade_request() {
  http::request<http::string_body> req{http::verb::get, "/v1/stream", 11};
  req.set(http::field::host, "127.0.0.1:9477");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  return req;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static boost::asio::io_context ioc;
  static const http::request<http::string_body> kUpgrade = upgrade_request();
  static ccmon::core::Decoder decoder;

  beast::test::stream client(ioc);
  beast::test::stream server(ioc);
  client.connect(server);
  server.read_size(1 + data[0] % 128);
  server.append(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  server.close_remote();  // reads see end of stream once the input is used up

  websocket::stream<beast::test::stream&> ws(server);
  ws.read_message_max(kMessageMax);
  beast::error_code ec;
  ws.accept(kUpgrade, ec);
  CCMON_FUZZ_CHECK(!ec);  // the handshake is fixed and valid

  beast::flat_buffer buffer;
  for (int frames = 0; frames < 256; ++frames) {
    ws.read(buffer, ec);
    if (ec) break;  // closed, protocol error, too big, end of stream
    CCMON_FUZZ_CHECK(buffer.size() <= kMessageMax);
    const std::string frame = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    const ccmon::core::DecodedBatch batch =
        decoder.decode(frame, ccmon::core::BodyFormat::kNdjson, kNow);
    ws.text(true);
    const std::string ack = "{\"accepted\":" + std::to_string(batch.events.size()) + "}";
    ws.write(boost::asio::buffer(ack), ec);
    if (ec) break;
  }
  return 0;
}
