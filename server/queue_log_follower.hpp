// Follows one Asterisk queue_log file like `tail -F` (docs/adapters.md,
// "Following queue_log files"): polls it on a timer of the server's
// io_context, hands complete lines to the queue_log adapter and the ingest
// path of adapter_ingest.hpp, and moves its read position only once the
// engine has taken them (durably, with state.sync: always). Rotation by
// rename (the old file is read to its end first), truncation in place
// (copytruncate: read again from the start) and a file that does not exist
// yet are handled; a last line without its newline waits for it. With
// state.dir the position is kept there, so a restart goes on at the next
// line, even when the file was rotated meanwhile (the old file is found in
// the same directory by its inode). All work runs on the follower's strand.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "config/adapters_config.hpp"
#include "core/adapters/asterisk_queue_log.hpp"
#include "core/codec/codec.hpp"
#include "server/read_position.hpp"
#include "server/server_context.hpp"
#include "store/file_ops.hpp"

namespace ccmon::server {

class QueueLogFollower : public std::enable_shared_from_this<QueueLogFollower> {
 public:
  // `state_dir` empty: positions are not kept (each start reads the file
  // from its beginning; the dedup memory drops what it still remembers).
  QueueLogFollower(boost::asio::io_context& io, std::shared_ptr<ServerContext> ctx,
                   config::QueueLogFile file, std::filesystem::path state_dir);

  void start();
  // No new read after this; a batch in flight completes (its position may
  // not be saved: its lines come again at the next start, as duplicates).
  void stop();

 private:
  struct OpenFile {
    store::FileDescriptor fd;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t offset = 0;
    std::uint64_t line = 0;
    std::string name;  // the path it was opened by (the rotated name, when draining)
  };

  void schedule(bool at_once);
  void poll();
  // Opens the file to read at start (the saved position's, perhaps rotated)
  // or after a rotation; false while the path does not exist.
  bool open_current();
  bool open_at(const std::filesystem::path& path, std::uint64_t offset, std::uint64_t line);
  // At the end of the current file: a rotation or truncation to switch to?
  // True when it switched (read again at once).
  bool check_rotation();
  void submit(std::string bytes, std::uint64_t consumed, std::uint64_t lines);
  void taken(std::uint64_t consumed, std::uint64_t lines, bool ok);
  void save_position();
  core::Decoder& decoder();

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<ServerContext> ctx_;
  config::QueueLogFile file_;
  std::filesystem::path position_file_;  // empty: not kept
  std::optional<ReadPosition> saved_;    // loaded at start, until the file is opened
  bool started_reading_ = false;
  OpenFile cur_;
  core::adapters::QueueLogState state_;
  std::shared_ptr<const config::Config> decoder_config_;
  std::optional<core::Decoder> decoder_;
  bool busy_ = false;
  bool stopped_ = false;
  bool waiting_logged_ = false;
};

}  // namespace ccmon::server
