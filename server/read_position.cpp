#include "server/read_position.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "store/file_ops.hpp"

namespace ccmon::server {

namespace fs = std::filesystem;

std::filesystem::path read_position_path(const fs::path& state_dir, const std::string& source) {
  return state_dir / "adapters" / ("queue_log-" + source + ".pos");
}

std::optional<ReadPosition> load_read_position(const fs::path& file, std::string& error) {
  error.clear();
  std::ifstream in(file);
  if (!in) {
    std::error_code ec;
    if (fs::exists(file, ec)) error = file.string() + ": cannot be read";
    return std::nullopt;
  }
  std::string magic;
  ReadPosition p;
  if (!(in >> magic >> p.device >> p.inode >> p.offset >> p.line) || magic != "ccmon-pos-v1") {
    error = file.string() + ": not a read position file";
    return std::nullopt;
  }
  return p;
}

bool save_read_position(const fs::path& file, const ReadPosition& p, std::string& error) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) {
    error = file.parent_path().string() + ": " + ec.message();
    return false;
  }
  std::ostringstream text;
  text << "ccmon-pos-v1 " << p.device << ' ' << p.inode << ' ' << p.offset << ' ' << p.line << '\n';
  const fs::path tmp = file.string() + ".tmp";
  store::FileDescriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    error = tmp.string() + ": " + store::error_text(errno);
    return false;
  }
  const auto ops = store::FileOps::system();
  if (const int e = store::write_all(ops, fd.get(), text.str(), 0); e != 0) {
    error = tmp.string() + ": " + store::error_text(e);
    return false;
  }
  if (ops.fdatasync(fd.get()) != 0) {
    error = tmp.string() + ": " + store::error_text(errno);
    return false;
  }
  fd = store::FileDescriptor();
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    error = file.string() + ": " + store::error_text(errno);
    return false;
  }
  store::sync_directory(file.parent_path());
  return true;
}

}  // namespace ccmon::server
