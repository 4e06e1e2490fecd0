// The few system calls the store makes that can fail for lack of space or a
// failing disk, behind a table of functions so that tests can inject ENOSPC
// and EIO (tests/store). Everything else (open, rename, unlink) is called
// directly.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace ccmon::store {

struct FileOps {
  // pwrite(2): bytes written, or -1 with errno set.
  std::function<ssize_t(int fd, const void* data, std::size_t size, off_t offset)> pwrite;
  // fdatasync(2): 0, or -1 with errno set.
  std::function<int(int fd)> fdatasync;

  static FileOps system();
};

// Writes all of `bytes` at `offset` (retrying short writes and EINTR).
// Returns 0 or the errno of the failure; what was written of a failed call
// is left for the caller to truncate.
int write_all(const FileOps& ops, int fd, std::string_view bytes, off_t offset);

// fsync(2) of a directory, so a rename or unlink in it is durable. 0 or errno.
int sync_directory(const std::filesystem::path& dir);

// "No space left on device" for an errno value.
std::string error_text(int error);

// An owned file descriptor (closed on destruction; -1 when none).
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor();
  FileDescriptor(FileDescriptor&& o) noexcept : fd_(o.release()) {}
  FileDescriptor& operator=(FileDescriptor&& o) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace ccmon::store
