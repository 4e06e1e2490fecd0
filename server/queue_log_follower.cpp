#include "server/queue_log_follower.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <system_error>
#include <utility>

#include "server/adapter_ingest.hpp"
#include "server/text_escape.hpp"

namespace ccmon::server {

namespace asio = boost::asio;
namespace fs = std::filesystem;

QueueLogFollower::QueueLogFollower(asio::io_context& io, std::shared_ptr<ServerContext> ctx,
                                   config::QueueLogFile file, fs::path state_dir)
    : strand_(asio::make_strand(io)),
      timer_(strand_),
      ctx_(std::move(ctx)),
      file_(std::move(file)) {
  if (!state_dir.empty()) position_file_ = read_position_path(state_dir, file_.source);
}

void QueueLogFollower::start() {
  asio::post(strand_, [self = shared_from_this()] {
    if (!self->position_file_.empty()) {
      std::string error;
      // The agent memory as of the saved line: an agent on a call at the
      // restart is still known busy, and in its queues.
      self->saved_ = load_read_position(self->position_file_, error, self->state_);
      if (!error.empty()) {
        spdlog::warn("queue_log {} (source {}): {}; reading the file from its start",
                     self->file_.path, self->file_.source, error);
      }
    }
    self->poll();
  });
}

void QueueLogFollower::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

void QueueLogFollower::schedule(bool at_once) {
  if (stopped_) return;
  if (at_once) {
    asio::post(strand_, [self = shared_from_this()] { self->poll(); });
    return;
  }
  timer_.expires_after(
      std::chrono::microseconds(ctx_->config()->adapters.asterisk_queue_log.poll_interval));
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->poll();
  });
}

core::Decoder& QueueLogFollower::decoder() {
  auto config = ctx_->config();
  if (!decoder_ || config != decoder_config_) {  // a reload may change the codec's rules
    decoder_.emplace(config->codec);
    decoder_config_ = std::move(config);
  }
  return *decoder_;
}

bool QueueLogFollower::open_at(const fs::path& path, std::uint64_t offset, std::uint64_t line) {
  store::FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return false;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (offset > size) {  // truncated while the daemon was down
    spdlog::warn(
        "queue_log {} (source {}): shorter than the saved position ({} < {} bytes): "
        "truncated, reading from its start",
        path.string(), file_.source, size, offset);
    offset = 0;
    line = 0;
  }
  cur_.fd = std::move(fd);
  cur_.device = static_cast<std::uint64_t>(st.st_dev);
  cur_.inode = static_cast<std::uint64_t>(st.st_ino);
  cur_.offset = offset;
  cur_.line = line;
  cur_.name = path.string();
  spdlog::info("following queue_log {} as source {} from byte {} (line {})", cur_.name,
               file_.source, offset, line + 1);
  return true;
}

bool QueueLogFollower::open_current() {
  const fs::path path(file_.path);
  if (!started_reading_ && saved_) {
    const ReadPosition p = *saved_;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_dev) == p.device &&
        static_cast<std::uint64_t>(st.st_ino) == p.inode) {
      if (!open_at(path, p.offset, p.line)) return false;
      started_reading_ = true;
      return true;
    }
    // Rotated while the daemon was down: finish the old file first, found
    // beside the path by its device and inode (queue_log.1, queue_log-2026...).
    std::error_code ec;
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      struct stat old {};
      if (::stat(entry.path().c_str(), &old) != 0 || !S_ISREG(old.st_mode)) continue;
      if (static_cast<std::uint64_t>(old.st_dev) == p.device &&
          static_cast<std::uint64_t>(old.st_ino) == p.inode &&
          open_at(entry.path(), p.offset, p.line)) {
        started_reading_ = true;
        return true;
      }
    }
    spdlog::warn(
        "queue_log {} (source {}): the file read before the restart is gone; lines "
        "written to it after byte {} are lost",
        file_.path, file_.source, p.offset);
  }
  if (!open_at(path, 0, 0)) {
    if (!waiting_logged_) {
      spdlog::info("queue_log {} (source {}) does not exist yet; waiting for it", file_.path,
                   file_.source);
      waiting_logged_ = true;
    }
    return false;
  }
  waiting_logged_ = false;
  started_reading_ = true;
  save_position();
  return true;
}

bool QueueLogFollower::check_rotation() {
  struct stat st {};
  if (::stat(file_.path.c_str(), &st) != 0) return false;  // renamed, new one not yet there
  if (static_cast<std::uint64_t>(st.st_dev) != cur_.device ||
      static_cast<std::uint64_t>(st.st_ino) != cur_.inode) {
    spdlog::info("queue_log {} (source {}) was rotated: {} read to its end ({} lines)", file_.path,
                 file_.source, cur_.name, cur_.line);
    cur_ = OpenFile{};
    return open_current();
  }
  if (static_cast<std::uint64_t>(st.st_size) < cur_.offset) {
    spdlog::info("queue_log {} (source {}) was truncated; reading it from its start", file_.path,
                 file_.source);
    cur_.offset = 0;
    cur_.line = 0;
    save_position();
    return true;
  }
  return false;
}

void QueueLogFollower::poll() {
  if (stopped_ || busy_) return;
  if (!ctx_->runner.state_ready()) return schedule(false);
  if (!cur_.fd.valid() && !open_current()) return schedule(false);
  const std::size_t max = ctx_->config()->adapters.asterisk_queue_log.max_read_bytes;
  // Nothing new (the usual case, once a poll interval): no buffer, no read.
  struct stat now {};
  if (::fstat(cur_.fd.get(), &now) != 0) {
    spdlog::error("queue_log {} (source {}): fstat failed: {}", cur_.name, file_.source,
                  store::error_text(errno));
    return schedule(false);
  }
  if (static_cast<std::uint64_t>(now.st_size) <= cur_.offset) return schedule(check_rotation());
  const std::size_t want = static_cast<std::size_t>(
      std::min<std::uint64_t>(max, static_cast<std::uint64_t>(now.st_size) - cur_.offset));
  std::string buf(want, '\0');
  ssize_t got = -1;
  do {
    got = ::pread(cur_.fd.get(), buf.data(), want, static_cast<off_t>(cur_.offset));
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    spdlog::error("queue_log {} (source {}): read failed: {}", cur_.name, file_.source,
                  store::error_text(errno));
    return schedule(false);
  }
  buf.resize(static_cast<std::size_t>(got));
  if (buf.empty()) {
    return schedule(check_rotation());
  }
  std::size_t end = buf.rfind('\n');
  if (end == std::string::npos) {
    if (buf.size() < max) {
      // A line still being written waits for its newline, unless the file
      // was rotated away: then nothing will complete it.
      struct stat st {};
      const bool rotated = ::stat(file_.path.c_str(), &st) == 0 &&
                           (static_cast<std::uint64_t>(st.st_ino) != cur_.inode ||
                            static_cast<std::uint64_t>(st.st_dev) != cur_.device);
      if (!rotated) return schedule(false);
      end = buf.size() - 1;
    } else {
      end = buf.size() - 1;  // no newline in max_read_bytes: one over-long line, refused
    }
  }
  buf.resize(end + 1);
  std::uint64_t lines = 0;
  for (char ch : buf) lines += ch == '\n' ? 1 : 0;
  if (buf.back() != '\n') ++lines;
  const std::uint64_t consumed = buf.size();
  submit(std::move(buf), consumed, lines);
}

void QueueLogFollower::submit(std::string bytes, std::uint64_t consumed, std::uint64_t lines) {
  auto config = ctx_->config();
  const auto& q = config->adapters.asterisk_queue_log;
  core::adapters::QueueLogOptions options;
  options.source = file_.source;
  options.wrapup = q.wrapup;
  options.strip_member_technology = q.strip_member_technology;
  // A copy of the agent memory: a refused batch is read and mapped again.
  core::adapters::QueueLogState next = state_;
  core::adapters::AdapterBatch batch = core::adapters::map_queue_log(bytes, options, next);
  // Line numbers of the file, not of the chunk.
  for (auto& issue : batch.issues) issue.record += static_cast<std::size_t>(cur_.line);
  busy_ = true;
  ingest_adapter_batch(*ctx_, *config, decoder(), AdapterKind::kAsteriskQueueLog, file_.source,
                       std::move(batch), std::nullopt, "line",
                       [self = shared_from_this(), consumed, lines,
                        next = std::make_shared<core::adapters::QueueLogState>(std::move(next))](
                           AdapterOutcome outcome) mutable {
                         asio::post(self->strand_,
                                    [self, consumed, lines, next,
                                     ok = outcome.failure == AdapterOutcome::Failure::kNone] {
                                      if (ok) self->state_ = std::move(*next);
                                      self->taken(consumed, lines, ok);
                                    });
                       });
}

void QueueLogFollower::taken(std::uint64_t consumed, std::uint64_t lines, bool ok) {
  busy_ = false;
  if (!ok) return schedule(false);  // overloaded or the state refused it: read again later
  cur_.offset += consumed;
  cur_.line += lines;
  save_position();
  schedule(true);
}

void QueueLogFollower::save_position() {
  if (position_file_.empty() || !cur_.fd.valid()) return;
  std::string error;
  if (!save_read_position(position_file_, {cur_.device, cur_.inode, cur_.offset, cur_.line}, state_,
                          error)) {
    spdlog::error("queue_log {} (source {}): read position not saved: {}", file_.path, file_.source,
                  error);
  }
}

}  // namespace ccmon::server
