// One wallboard viewer on the live feed (`GET /v1/live`, docs/wallboard.md):
// a WebSocket that only sends. The first message is the latest full state;
// then one message per engine tick. One message is written at a time and at
// most one waits behind it, replaced at each tick by the message that brings
// the viewer from the tick it will have to the latest (LiveMessages::since):
// a slow TV skips to the latest numbers, and holds two shared messages.
// Runs on its own strand; the publisher only posts.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <memory>

#include "server/client_stream.hpp"
#include "server/http_util.hpp"
#include "server/live_feed.hpp"
#include "server/message_reader.hpp"
#include "server/server_context.hpp"

namespace ccmon::server {

// The close codes of a refused token (docs/wallboard.md): browsers cannot see
// an HTTP 401 or 403 on a WebSocket, so the upgrade is accepted and closed
// with the same number in the private range (RFC 6455 §7.4.2).
inline constexpr std::uint16_t kCloseUnauthorized = 4401;
inline constexpr std::uint16_t kCloseForbidden = 4403;

class LiveSession : public Closable,
                    public LiveViewer,
                    public std::enable_shared_from_this<LiveSession> {
 public:
  // `authorised` false: the handshake completes, then the feed closes with
  // kCloseUnauthorized or kCloseForbidden and sends nothing. A reload that
  // revokes the viewer's token closes an open feed with 1008.
  LiveSession(ClientStream&& stream, std::shared_ptr<ServerContext> ctx,
              std::shared_ptr<ConnectionSlot> slot, bool authorised);
  ~LiveSession() override;

  // Completes the upgrade of `req`; `buffer` holds bytes read past it.
  void run(Request req, boost::beast::flat_buffer buffer);
  void close_gracefully() override;
  void deliver(LiveMessages messages) override;
  void config_changed() override;

  // The viewer socket's SO_SNDBUF, in bytes (Linux doubles it for its own
  // bookkeeping): a few updates of a large center, a fraction of a state.
  static constexpr std::size_t kSendBuffer = 128 * 1024;
  // How long a viewer may take to let its last message and 1001 out when
  // the daemon shuts down, before its connection is closed.
  static constexpr std::chrono::seconds kShutdownGrace{2};

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void enqueue(const LiveMessages& messages);
  // Drops the message waiting behind the one being written (shutdown,
  // revoked token): a WebSocket frame being written cannot be taken back.
  void drop_pending() { pending_.reset(); }
  void do_write();
  void on_write(boost::beast::error_code ec);
  // A read or write failed: the viewer is gone (counted when timed out).
  void failed(boost::beast::error_code ec);
  void close_with(boost::beast::websocket::close_reason reason);
  // Takes up a reloaded configuration; false (counted, closing with 1008)
  // when the viewer's token no longer opens the feed.
  bool still_allowed();

  boost::beast::websocket::stream<ClientStream> ws_;
  boost::asio::steady_timer shutdown_grace_;  // see close_gracefully()
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<ServerContext> ctx_;
  MessageReader reader_;  // a viewer cannot hold the feed with a trickled message either
  std::shared_ptr<ConnectionSlot> slot_;
  std::shared_ptr<LiveFeed> feed_;
  bool authorised_;
  std::string credential_;                        // as an Authorization value; never logged
  std::shared_ptr<const config::Config> config_;  // the one the token was last checked with
  std::uint64_t registry_id_ = 0;
  std::uint64_t feed_id_ = 0;
  SharedText writing_text_;         // the message being written, kept alive until written
  SharedText pending_;              // the message to write next, if any
  std::uint64_t pending_tick_ = 0;  // the tick it brings the viewer to
  std::uint64_t had_ = 0;  // the tick of the last message written or being written; 0: none
  boost::beast::websocket::close_reason close_reason_;
  bool accepted_ = false;  // handshake done and subscribed
  bool writing_ = false;   // an async_write is under way (writing_text_)
  bool closing_ = false;   // close once the message being written is out
  bool closed_ = false;
};

}  // namespace ccmon::server
