#include "store/snapshot_child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <new>

namespace ccmon::store {
namespace {

// Crosses the pipe as raw bytes: both ends are this binary.
struct Report {
  int error = 0;
  char step[32] = {};
  std::uint64_t payload_bytes = 0;
  double seconds = 0;
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

[[noreturn]] void run_child(int out, pid_t parent, const std::filesystem::path& state_dir,
                            Sequence sequence,
                            const std::function<void(const PayloadSink&)>& encode,
                            const FileOps& ops) {
  // Dies with the parent: a crashed daemon's child must not outlive it (its
  // restart would find half a snapshot being written under its feet).
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(1);
  // Told apart from the daemon in ps and top (docs/architecture.md, "The
  // daemon's threads"); it would otherwise keep the engine thread's name.
  prctl(PR_SET_NAME, "ccmond-snapshot");
  // Keep 0-2 (a crash message still reaches the journal) and the pipe; the
  // lock's descriptor and the sockets go, so they stay the parent's alone.
  if (out > 3) close_range(3, static_cast<unsigned>(out) - 1, 0);
  close_range(static_cast<unsigned>(out) + 1, ~0u, 0);
  Report r;
  SnapshotPayloadWrite w;
  try {  // nothing may unwind into the copy of the parent's stack
    const auto start = std::chrono::steady_clock::now();
    w = write_snapshot_payload(state_dir, sequence, encode, ops);
    r.seconds = seconds_since(start);
  } catch (const std::bad_alloc&) {
    w.error = ENOMEM;  // the likeliest failure: said as such, not as a dead process
    w.step = "encode";
  } catch (...) {
    _exit(1);
  }
  r.error = w.error;
  std::strncpy(r.step, w.step.c_str(), sizeof r.step - 1);
  r.payload_bytes = w.payload_bytes;
  const char* p = reinterpret_cast<const char*>(&r);
  std::size_t left = sizeof r;
  while (left > 0) {
    const ssize_t n = ::write(out, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(1);
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  _exit(0);
}

}  // namespace

std::optional<ChildSnapshot> ChildSnapshot::start(
    const std::filesystem::path& state_dir, Sequence sequence,
    const std::function<void(const PayloadSink&)>& encode, const FileOps& ops, int& error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error = errno;
    return std::nullopt;
  }
  FileDescriptor read_end(fds[0]);
  FileDescriptor write_end(fds[1]);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    error = errno;
    return std::nullopt;
  }
  if (pid == 0) run_child(write_end.get(), parent, state_dir, sequence, encode, ops);
  return ChildSnapshot(pid, std::move(read_end), state_dir, sequence, ops);
}

ChildSnapshotResult ChildSnapshot::wait() {
  Report r;
  char* p = reinterpret_cast<char*>(&r);
  std::size_t got = 0;
  while (got < sizeof r) {
    const ssize_t n = ::read(result_.get(), p + got, sizeof r - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the child died before reporting
    got += static_cast<std::size_t>(n);
  }
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  ChildSnapshotResult out;
  if (got != sizeof r || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // Killed or crashed half-way: its `.tmp` file would stay until the next
    // start, and the next attempt has another sequence.
    remove_temporary_snapshot(state_dir_, sequence_);
    out.write.error = EIO;
    out.write.step = "snapshot process";
    return out;
  }
  out.child_seconds = r.seconds;
  if (r.error != 0) {
    out.write.error = r.error;
    out.write.step = r.step;
    return out;
  }
  const auto start = std::chrono::steady_clock::now();
  out.write = commit_snapshot(state_dir_, sequence_, r.payload_bytes, ops_);
  out.commit_seconds = seconds_since(start);
  return out;
}

ChildSnapshot::ChildSnapshot(ChildSnapshot&& o) noexcept
    : pid_(o.pid_),
      result_(std::move(o.result_)),
      state_dir_(std::move(o.state_dir_)),
      sequence_(o.sequence_),
      ops_(std::move(o.ops_)) {
  o.pid_ = -1;
}

ChildSnapshot::~ChildSnapshot() {
  if (pid_ > 0) {
    // Never waited for (an error path): do not leave a zombie.
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    remove_temporary_snapshot(state_dir_, sequence_);
  }
}

}  // namespace ccmon::store
