// One WebSocket ingest stream (/v1/stream): each inbound frame (one event or
// NDJSON lines) gets exactly one reply frame, in order, with its seq.
// Frames are pipelined to the engine; reading pauses while the engine is
// saturated or the client is not reading its replies (backpressure).
// A reload reaches an open stream (docs/ingestion.md): the next frame is read
// with the new limits and decoded with the new codec options, and a stream
// whose ingest token is no longer accepted is closed with 1008.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "server/client_stream.hpp"
#include "server/http_util.hpp"
#include "server/message_reader.hpp"
#include "server/server_context.hpp"
#include "server/session_decoder.hpp"

namespace ccmon::server {

class WebSocketSession : public Closable, public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(ClientStream&& stream, std::shared_ptr<ServerContext> ctx,
                   std::shared_ptr<ConnectionSlot> slot);
  ~WebSocketSession() override;

  // Completes the upgrade of `req`; `buffer` holds bytes read past it.
  void run(Request req, boost::beast::flat_buffer buffer);
  void close_gracefully() override;
  void config_changed() override;

 private:
  // Takes up the running configuration if a reload replaced it: limits and
  // the token check. False when the stream's token was revoked (closing).
  bool refresh();
  void apply_limits();
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec);
  // A message missed server.limits.message_timeout (counted and logged by
  // the reader): closes with 1008 at once; replies still owed are not sent,
  // the client resends those frames as after any lost connection.
  void on_message_expired();
  void submit(std::uint64_t seq, core::DecodedBatch decoded, core::Timestamp now);
  void complete(std::uint64_t seq, std::string reply);
  void do_write();
  void on_write(boost::beast::error_code ec);
  void maybe_close();
  // Counts internal_error and closes with 1011 after serving a frame threw.
  void fail_internal();
  // Answers `seq` state_unavailable, counted, and ends the stream with 1013
  // (try again later), as end_after() says.
  void refuse_and_end(std::uint64_t seq, const char* message);
  // Answers `seq` with `reply` and ends the stream: nothing more is read,
  // the frames already read are refused (order_fence_), and once all are
  // answered it closes with `reason`. The client resends from `seq` on a new
  // connection, in its order.
  void end_after(std::uint64_t seq, boost::beast::websocket::close_reason reason,
                 std::string reply);

  // Frames read but not yet answered; past this, reading pauses.
  static constexpr std::size_t kMaxOutstandingFrames = 1024;
  // Reply bytes finished but not yet written; past this, reading pauses too.
  // One reply is at most ~30 KB (100 listed rejections), so this holds tens
  // of them (docs/security.md).
  static constexpr std::size_t kMaxQueuedReplyBytes = 1024 * 1024;

  boost::beast::websocket::stream<ClientStream> ws_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<ServerContext> ctx_;
  MessageReader reader_;
  std::shared_ptr<ConnectionSlot> slot_;
  std::shared_ptr<const config::Config> config_;  // the one the stream runs with now
  SessionDecoder decoder_;
  std::string authorization_;  // the upgrade request's Authorization header
  boost::beast::websocket::close_reason close_reason_{
      boost::beast::websocket::close_code::going_away};
  std::uint64_t registry_id_ = 0;

  std::uint64_t next_seq_ = 1;                     // seq of the next frame read
  std::uint64_t next_reply_seq_ = 1;               // seq of the next reply to queue for writing
  std::map<std::uint64_t, std::string> finished_;  // replies waiting for their turn
  std::deque<std::string> write_queue_;
  std::size_t outstanding_ = 0;   // frames read, reply not yet written
  std::size_t queued_bytes_ = 0;  // in finished_ and write_queue_
  bool reading_ = false;
  bool waiting_admission_ = false;
  bool paused_ = false;  // at a bound above, until on_write makes room
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  // Shared with this stream's batches: set by the engine thread when it
  // refuses one, so that it refuses those behind it (Batch::order_fence).
  std::shared_ptr<bool> order_fence_ = std::make_shared<bool>(false);
  bool ending_ = false;  // a frame was refused or failed: every later one is refused
};

}  // namespace ccmon::server
