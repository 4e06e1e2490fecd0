// Snapshots written by a forked child process, as Redis's BGSAVE does: the
// child inherits a copy-on-write image of the parent's memory at the fork,
// so it can encode and write the state while the parent's engine thread goes
// on applying events; the parent pays only for the fork (copying page
// tables: milliseconds for a few hundred MiB). See docs/operations.md,
// "Snapshots".
//
// The child closes every inherited descriptor (the state directory's lock
// and the listening sockets stay the parent's alone), dies with its parent
// (PR_SET_PDEATHSIG), never logs and never returns: it reports through a
// pipe and calls _exit. A child killed half-way leaves only a `.tmp` file,
// which wait() (or the next start, after a crash of the daemon) removes.
//
// Memory: while the child runs, every page the parent changes is copied, so
// the process can briefly use up to twice the memory of the state.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>

#include "store/file_ops.hpp"
#include "store/snapshot_files.hpp"

namespace ccmon::store {

// The snapshot's outcome and its two parts' seconds: the child's (encoding
// and streaming the payload to the `.tmp` file) and the parent's
// (commit_snapshot: CRC, header, fdatasync, rename).
struct ChildSnapshotResult {
  SnapshotWrite write;
  double child_seconds = 0;
  double commit_seconds = 0;
};

class ChildSnapshot {
 public:
  // Forks; the child runs `encode` (which must only read memory and
  // allocate: no locks other threads may hold, no logging, nothing from
  // fork_excluded_memory(), which the child does not map) into
  // write_snapshot_payload(state_dir, sequence, encode, ops), reports and
  // exits. The child lives only as long as encoding and writing to the page
  // cache take: every page the parent writes meanwhile is copied, so wait()
  // leaves the fdatasync and the rest to the parent. nullopt with `error`
  // (errno) when the fork or the pipe cannot be made; the caller then
  // writes in-process. Call from the thread that owns what `encode` reads.
  static std::optional<ChildSnapshot> start(const std::filesystem::path& state_dir,
                                            Sequence sequence,
                                            const std::function<void(const PayloadSink&)>& encode,
                                            const FileOps& ops, int& error);

  // Blocks until the child has reported and exited, then commits the file
  // (commit_snapshot). A child that died without reporting gives error EIO
  // and step "snapshot process". Any thread; once.
  ChildSnapshotResult wait();

  ChildSnapshot(ChildSnapshot&& o) noexcept;
  ChildSnapshot& operator=(ChildSnapshot&&) = delete;
  ~ChildSnapshot();

 private:
  ChildSnapshot(pid_t pid, FileDescriptor result, std::filesystem::path state_dir,
                Sequence sequence, FileOps ops)
      : pid_(pid),
        result_(std::move(result)),
        state_dir_(std::move(state_dir)),
        sequence_(sequence),
        ops_(std::move(ops)) {}
  pid_t pid_ = -1;
  FileDescriptor result_;  // the pipe's read end
  std::filesystem::path state_dir_;
  Sequence sequence_ = 0;
  FileOps ops_;
};

}  // namespace ccmon::store
