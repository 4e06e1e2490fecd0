// The wallboard's files (web/page/), compiled into the binary at build time so
// that ccmond serves `GET /` and its assets with nothing installed beside it
// (docs/wallboard.md).
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace ccmon::web {

// One embedded file. All three views point into static storage: valid for the
// whole life of the process, never freed, never changed.
struct Asset {
  // The Content-Type to send, e.g. "text/html; charset=utf-8"; chosen from the
  // file's extension when the build embeds it (an unknown extension fails the
  // build, so nothing is ever served with a guessed type).
  std::string_view content_type;
  // The file's bytes, verbatim.
  std::string_view body;
  // A strong entity tag including its quotes, e.g. "\"3f2a9c0d1b7e4f60\"":
  // the first 16 hex digits of the SHA-256 of `body`. For ETag /
  // If-None-Match; it changes whenever the file does.
  std::string_view etag;
};

// The asset served at URL path `path` (the request target without its query
// or fragment, e.g. "/assets/wallboard.js"); "/" is "/index.html". Exact,
// case-sensitive match against a fixed table, so "..", "//" or percent-escapes
// never reach a file; nullopt when no asset has that path (answer 404).
// Pure and thread-safe: reads constant data only, allocates nothing.
std::optional<Asset> find_asset(std::string_view path) noexcept;

// Every embedded path ("/index.html", "/assets/…"), sorted bytewise; "/" is
// not listed. For tests and for a server that wants to log what it serves.
std::span<const std::string_view> asset_paths() noexcept;

}  // namespace ccmon::web
