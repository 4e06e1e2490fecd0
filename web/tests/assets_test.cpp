// The embedded wallboard files: lookup, content types, bytes identical to
// web/page/, and a page that only ever asks its own origin for anything.
#include "web/assets.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using ccmon::web::asset_paths;
using ccmon::web::find_asset;

const fs::path kPage = fs::path(CCMON_SOURCE_DIR) / "web" / "page";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string body_of(std::string_view path) {
  const auto asset = find_asset(path);
  REQUIRE(asset);
  return std::string(asset->body);
}

}  // namespace

TEST_CASE("'/' and '/index.html' are the page, as HTML") {
  const auto root = find_asset("/");
  const auto index = find_asset("/index.html");
  REQUIRE(root);
  REQUIRE(index);
  CHECK(root->content_type == "text/html; charset=utf-8");
  CHECK(root->body.data() == index->body.data());
  CHECK(root->body.starts_with("<!doctype html>"));
}

TEST_CASE("content types follow the extension") {
  CHECK(find_asset("/assets/wallboard.js")->content_type == "text/javascript; charset=utf-8");
  CHECK(find_asset("/assets/wallboard.css")->content_type == "text/css; charset=utf-8");
  CHECK(find_asset("/assets/favicon.svg")->content_type == "image/svg+xml");
}

TEST_CASE("unknown paths and path tricks find nothing") {
  for (const char* path : {"", "/nope", "/index.htm", "/INDEX.HTML", "index.html", "//index.html",
                           "/assets/../index.html", "/assets/", "/assets", "/index.html?x=1",
                           "/assets/wallboard.js/", "/%69ndex.html"}) {
    INFO(path);
    CHECK_FALSE(find_asset(path));
  }
}

TEST_CASE("every file of web/page/ is embedded byte for byte, and nothing else") {
  std::set<std::string> on_disk;
  for (const auto& entry : fs::recursive_directory_iterator(kPage)) {
    if (entry.is_regular_file()) {
      // Appended: "/" + std::string&& trips GCC 12's false -Wrestrict at -O3.
      std::string path(1, '/');
      path.append(fs::relative(entry.path(), kPage).generic_string());
      on_disk.insert(std::move(path));
    }
  }
  const auto paths = asset_paths();
  CHECK(std::is_sorted(paths.begin(), paths.end()));
  const std::set<std::string> embedded(paths.begin(), paths.end());
  CHECK(embedded == on_disk);
  for (const auto& path : on_disk) {
    INFO(path);
    CHECK(body_of(path) == read_file(kPage / path.substr(1)));
  }
}

TEST_CASE("etags are quoted 16-hex-digit strong tags, one per distinct body") {
  const std::regex shape("\"[0-9a-f]{16}\"");
  std::set<std::string_view> tags;
  for (const auto path : asset_paths()) {
    const auto asset = find_asset(path);
    REQUIRE(asset);
    CHECK(std::regex_match(std::string(asset->etag), shape));
    tags.insert(asset->etag);
  }
  CHECK(tags.size() == asset_paths().size());  // the files all differ
}

TEST_CASE("index.html references only relative URLs of embedded files") {
  const std::string html = body_of("/index.html");
  const std::regex attr(R"re(\b(src|href)\s*=\s*"([^"]*)")re");
  int count = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), attr); it != std::sregex_iterator();
       ++it) {
    const std::string url = (*it)[2];
    INFO(url);
    // Relative: no scheme, not protocol-relative, not root-relative (the
    // daemon may sit behind a proxy under a path prefix).
    CHECK_FALSE(std::regex_search(url, std::regex("^[A-Za-z][A-Za-z0-9+.-]*:")));
    CHECK_FALSE(url.starts_with("/"));
    CHECK(find_asset("/" + url));
    ++count;
  }
  CHECK(count == 9);  // favicon, stylesheet, seven scripts
  // The Content-Security-Policy forbids any other origin, whatever a script
  // does; connections go to this daemon or, over WebSockets, to the peers
  // the URL names (docs/wallboard.md "Several instances").
  CHECK(html.find("default-src 'none'") != std::string::npos);
  CHECK(html.find("connect-src 'self' ws: wss:;") != std::string::npos);
}

TEST_CASE("no asset names another origin") {
  // The SVG namespace is an identifier, never fetched.
  const std::regex absolute(R"re((https?|wss?|ftp):\/\/(?!www\.w3\.org\/2000\/svg))re");
  const std::regex css_import(R"re(@import|url\(\s*['"]?([a-z]+:|\/\/))re");
  for (const auto path : asset_paths()) {
    const std::string body = body_of(path);
    INFO(path);
    CHECK_FALSE(std::regex_search(body, absolute));
    CHECK_FALSE(std::regex_search(body, css_import));
  }
}
