// Token files (server.auth.*_token_files, docs/configuration.md "Token
// files"): the format, reading them, and how the loader merges them.
#include "config/token_file.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.hpp"

using ccmon::config::load_config_string;
using ccmon::config::parse_token_file;
using ccmon::config::read_token_file;
using ccmon::config::reload_refusals;
using ccmon::config::token_problem;
using Tokens = std::vector<std::string>;

namespace {

// A fresh directory under $TMPDIR, removed at the end of the test.
struct TempDir {
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "ccmon-tokens-XXXXXX").string();
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    path = templ;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text, mode_t mode = 0600) {
    const auto file = (path / name).string();
    std::ofstream(file, std::ios::binary) << text;
    REQUIRE(::chmod(file.c_str(), mode) == 0);
    return file;
  }
  std::filesystem::path path;
};

}  // namespace

TEST_CASE("a token file holds one token per line; comments and blanks are skipped",
          "[config][tokens]") {
  // BOM, CRLF, indentation, trailing tabs, a comment, a repeated token.
  const auto c = parse_token_file(
      "\xEF\xBB\xBF# rotated 2026-11-30\r\n"
      "  alpha-1\t\r\n"
      "\n"
      "   \n"
      "b64+/token==\n"
      "alpha-1\n"
      "  # indented comment\n"
      "last-without-newline");
  CHECK(c.problems.empty());
  CHECK(c.tokens == Tokens{"alpha-1", "b64+/token==", "last-without-newline"});
}

TEST_CASE("token file problems name the line, never the token", "[config][tokens]") {
  const auto c = parse_token_file("good\nsecret with space\nbad\x01token\n");
  CHECK(c.tokens == Tokens{"good"});
  REQUIRE(c.problems.size() == 2);
  CHECK(c.problems[0].line == 2);
  CHECK(c.problems[1].line == 3);
  for (const auto& p : c.problems) {
    CHECK(p.message.find("secret") == std::string::npos);
    CHECK(p.message.find("bad") == std::string::npos);
  }
  // Nothing but comments and blanks: an error, not an open role.
  for (const char* empty : {"", "\n\n", "# only\n  \n", "\xEF\xBB\xBF"}) {
    const auto e = parse_token_file(empty);
    CHECK(e.tokens.empty());
    REQUIRE(e.problems.size() == 1);
    CHECK(e.problems[0].line == 0);
    CHECK(e.problems[0].message.find("holds no token") != std::string::npos);
  }
}

TEST_CASE("token_problem: visible ASCII only", "[config][tokens]") {
  CHECK(token_problem("abc-DEF_123.~+/=") == nullptr);
  CHECK(token_problem("") != nullptr);
  CHECK(token_problem("a b") != nullptr);
  CHECK(token_problem("a\tb") != nullptr);
  CHECK(token_problem("caf\xC3\xA9") != nullptr);  // é: not visible ASCII
  CHECK(token_problem("a\x7F") != nullptr);        // DEL
}

TEST_CASE("reading a token file: missing, not a file, too big, too open", "[config][tokens]") {
  TempDir dir;
  auto missing = read_token_file((dir.path / "nope").string());
  CHECK(missing.error.find("cannot open the token file: No such file or directory") == 0);
  CHECK(read_token_file(dir.path.string()).error == "the token file is not a regular file");
  const auto big = dir.write("big", std::string(ccmon::config::kMaxTokenFileBytes + 1, 'x'));
  CHECK(read_token_file(big).error == "the token file is larger than 1 MiB");

  const auto tight = read_token_file(dir.write("tight", "t1\n", 0600));
  CHECK(tight.error.empty());
  CHECK(tight.content.tokens == Tokens{"t1"});
  CHECK_FALSE(tight.exposed);
  CHECK_FALSE(read_token_file(dir.write("ro", "t1\n", 0400)).exposed);
  const auto group = read_token_file(dir.write("group", "t1\n", 0640));
  CHECK(group.exposed);
  CHECK(group.mode == 0640);
  CHECK(read_token_file(dir.write("world", "t1\n", 0604)).exposed);
}

TEST_CASE("the loader merges token files into their role, relative to the configuration",
          "[config][tokens]") {
  TempDir dir;
  dir.write("ingest.tokens", "# producers\nfile-ing\ninline-ing\n");
  dir.write("read.tokens", "file-read\n");
  const auto admin = dir.write("admin.tokens", "file-admin\n");
  const std::string config_path = (dir.path / "ccmon.yml").string();
  const auto r = load_config_string(
      "server:\n  auth:\n"
      "    ingest_token_files: [ingest.tokens]\n"  // relative: next to ccmon.yml
      "    ingest_tokens: [inline-ing]\n"          // after the files: merged all the same
      "    metrics_token_files: [read.tokens]\n"
      "    admin_token_files: [\"" +
          admin + "\"]\n",
      config_path);
  INFO((r.errors.empty() ? "" : to_string(r.errors[0])));
  REQUIRE(r.config);
  CHECK(r.config->auth.ingest_tokens == Tokens{"inline-ing", "file-ing"});
  CHECK(r.config->auth.metrics_tokens == Tokens{"file-read"});
  CHECK(r.config->auth.admin_tokens == Tokens{"file-admin"});
  CHECK(r.warnings.empty());
}

TEST_CASE("an unusable token file is an error naming it; an open one a warning",
          "[config][tokens]") {
  TempDir dir;
  const std::string config_path = (dir.path / "ccmon.yml").string();
  auto load = [&](const std::string& file) {
    return load_config_string("server:\n  auth:\n    ingest_token_files: [" + file + "]\n",
                              config_path);
  };
  SECTION("missing: the error is at the list entry and names the file") {
    const auto r = load("gone.tokens");
    CHECK_FALSE(r.config);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].file == config_path);
    CHECK(r.errors[0].line == 3);
    // "    ingest_token_files: [" is 25 characters.
    CHECK(r.errors[0].column == 26);
    CHECK(r.errors[0].message ==
          "server.auth.ingest_token_files[0]: " + (dir.path / "gone.tokens").string() +
              ": cannot open the token file: No such file or directory");
  }
  SECTION("empty: an error in the token file itself") {
    const auto path = dir.write("empty.tokens", "# nothing yet\n");
    const auto r = load("empty.tokens");
    CHECK_FALSE(r.config);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].file == path);
    CHECK(r.errors[0].message.find("server.auth.ingest_token_files[0]: holds no token") == 0);
  }
  SECTION("a bad line: its line number, not its text") {
    const auto path = dir.write("bad.tokens", "ok\nmy secret\n");
    const auto r = load("bad.tokens");
    CHECK_FALSE(r.config);
    REQUIRE(r.errors.size() == 1);
    CHECK(to_string(r.errors[0]).find(path + ":2: ") == 0);
    CHECK(to_string(r.errors[0]).find("secret") == std::string::npos);
  }
  SECTION("group-readable: loads, with a warning naming the file and mode") {
    const auto path = dir.write("open.tokens", "t1\n", 0644);
    const auto r = load("open.tokens");
    REQUIRE(r.config);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].file == path);
    CHECK(r.warnings[0].message.find("readable by group or others (mode 0644)") !=
          std::string::npos);
    CHECK(r.warnings[0].message.find("t1") == std::string::npos);
  }
}

TEST_CASE("a reload reads token files again", "[config][tokens][reload]") {
  TempDir dir;
  const std::string config_path = (dir.path / "ccmon.yml").string();
  const std::string yaml = "server:\n  auth:\n    ingest_token_files: [ingest.tokens]\n";
  dir.write("ingest.tokens", "old\n");
  const auto running = load_config_string(yaml, config_path);
  REQUIRE(running.config);
  // Rotated: the next load has the new token only.
  dir.write("ingest.tokens", "new\n");
  const auto rotated = load_config_string(yaml, config_path);
  REQUIRE(rotated.config);
  CHECK(rotated.config->auth.ingest_tokens == Tokens{"new"});
  CHECK(reload_refusals(*running.config, rotated).empty());
  // Emptied (a rotation script that failed half-way): not loadable at all.
  dir.write("ingest.tokens", "");
  CHECK_FALSE(load_config_string(yaml, config_path).config);
}
