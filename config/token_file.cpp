#include "config/token_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ccmon::config {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kBlank = " \t\r";
  const auto first = s.find_first_not_of(kBlank);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kBlank) - first + 1);
}

}  // namespace

const char* token_problem(std::string_view token) {
  if (token.empty()) return "a token must be a non-empty string";
  const bool visible = std::all_of(token.begin(), token.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F;
  });
  if (!visible) {
    return "a token must be a non-empty string of visible ASCII characters, without spaces";
  }
  return nullptr;
}

TokenFileContent parse_token_file(std::string_view text) {
  TokenFileContent out;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  int line_no = 0;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    const std::string_view raw = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    ++line_no;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (const char* why = token_problem(line)) {
      out.problems.push_back({line_no, why});
    } else if (std::find(out.tokens.begin(), out.tokens.end(), line) == out.tokens.end()) {
      out.tokens.emplace_back(line);
    }
  }
  if (out.tokens.empty() && out.problems.empty()) {
    out.problems.push_back({0,
                            "holds no token (only blank lines or comments); an empty token "
                            "file would switch authentication off for its role"});
  }
  return out;
}

std::string token_file_path(const std::string& path, const std::string& config_file) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(config_file).parent_path() / p).string();
}

TokenFileRead read_token_file(const std::string& path) {
  TokenFileRead out;
  const auto fail = [&](const char* what) {
    out.error = what;
    out.error += ": ";
    out.error += std::strerror(errno);
    return out;
  };
  // O_NONBLOCK: a FIFO named by mistake must not hang the reload thread.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail("cannot open the token file");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return fail("cannot stat the token file");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    out.error = "the token file is not a regular file";
    return out;
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxTokenFileBytes) {
    ::close(fd);
    out.error = "the token file is larger than 1 MiB";
    return out;
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t have = 0;
  while (have < text.size()) {
    const ssize_t n = ::read(fd, text.data() + have, text.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      errno = saved;
      return fail("cannot read the token file");
    }
    if (n == 0) break;  // shrunk while being read: parse what is there
    have += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.resize(have);
  out.mode = static_cast<unsigned>(st.st_mode & 07777);
  out.exposed = (st.st_mode & (S_IRWXG | S_IRWXO)) != 0;
  out.content = parse_token_file(text);
  return out;
}

}  // namespace ccmon::config
