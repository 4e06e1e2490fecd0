// Bearer tokens kept in files of their own (server.auth.*_token_files), so
// that secrets stay out of the configuration file: systemd credentials,
// Kubernetes or Docker secrets, a file only the daemon's user can read.
// Format (docs/configuration.md, "Token files"): one token per line; blank
// lines and lines starting with `#` are skipped; spaces, tabs and a CR at
// either end of a line are trimmed; a UTF-8 byte order mark is skipped.
// Messages never contain a token.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ccmon::config {

// Largest token file read (bytes): a few thousand tokens. A bigger file (or
// /dev/zero named by mistake) is an error, never read whole into memory.
inline constexpr std::size_t kMaxTokenFileBytes = 1024 * 1024;

// Why `token` cannot be a bearer token, or nullptr when it can: one or more
// visible ASCII characters (0x21..0x7E), which covers RFC 6750's b64token and
// anything `openssl rand -hex|-base64` prints. The same rule for tokens
// written in the configuration file and in token files.
const char* token_problem(std::string_view token);

struct TokenFileProblem {
  int line = 0;  // 1-based; 0 for the file as a whole
  std::string message;
};

struct TokenFileContent {
  std::vector<std::string> tokens;  // in file order, duplicates removed
  std::vector<TokenFileProblem> problems;
};

// Parses the text of a token file (format above). A file without any token
// is a problem: it would silently switch the role's authentication off.
TokenFileContent parse_token_file(std::string_view text);

struct TokenFileRead {
  std::string error;  // non-empty: cannot be read (missing, not a file, too big)
  TokenFileContent content;
  // The file's permission bits grant group or others any access: the tokens
  // are readable by more than the daemon's user (a warning, not an error).
  bool exposed = false;
  unsigned mode = 0;  // permission bits, for the warning
};

// `path` as written in the configuration: relative paths are relative to the
// directory of `config_file` (as Prometheus resolves its file paths).
std::string token_file_path(const std::string& path, const std::string& config_file);

// Reads and parses the token file at `path` (symlinks followed; it must be a
// regular file of at most kMaxTokenFileBytes).
TokenFileRead read_token_file(const std::string& path);

}  // namespace ccmon::config
