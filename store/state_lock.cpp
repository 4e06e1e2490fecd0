#include "store/state_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/text.hpp"

namespace ccmon::store {
namespace fs = std::filesystem;

namespace {

long read_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  return n > 0 ? std::strtol(buf, nullptr, 10) : 0;
}

}  // namespace

std::optional<StateLock> StateLock::acquire(const fs::path& state_dir, std::string& error,
                                            bool& in_use) {
  in_use = false;
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  if (ec) {
    error = concat("cannot create state directory ", state_dir.string(), ": ", ec.message());
    return std::nullopt;
  }
  const fs::path path = state_dir / "LOCK";
  FileDescriptor fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    error = concat("cannot open ", path.string(), ": ", std::strerror(errno));
    return std::nullopt;
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      in_use = true;
      error = concat("state directory ", state_dir.string(), " is in use by another ccmond (pid ",
                     read_pid(fd.get()), ")");
    } else {
      error = concat("cannot lock ", path.string(), ": ", std::strerror(errno));
    }
    return std::nullopt;
  }
  const std::string pid = concat(::getpid(), "\n");
  if (::ftruncate(fd.get(), 0) != 0 ||
      ::pwrite(fd.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The pid is only for the message of a refused second daemon.
  }
  return StateLock(std::move(fd));
}

bool StateLock::held_by_other(const fs::path& state_dir, long& pid) {
  pid = 0;
  FileDescriptor fd(::open((state_dir / "LOCK").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return false;  // released with fd
  pid = read_pid(fd.get());
  return true;
}

}  // namespace ccmon::store
