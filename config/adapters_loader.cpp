#include "config/adapters_loader.hpp"

#include <algorithm>
#include <string>

#include "config/token_file.hpp"
#include "core/adapters/adapter.hpp"

namespace ccmon::config {
namespace {

// A secret: the token rule (visible ASCII, no spaces). The error never
// repeats the value: configuration errors are logged.
void secret(YamlReader& r, const Value& v, std::string& out) {
  auto s = r.string(v);
  if (!s) return;
  if (s->empty()) return;  // empty: the adapter stays disabled
  if (const char* why = token_problem(*s)) return r.error(v, why);
  out = *s;
}

void source_name(YamlReader& r, const Value& v, std::string& out) {
  auto s = r.string(v);
  if (!s) return;
  if (!core::adapters::valid_source_name(*s)) {
    return r.error(v, quoted(*s) + " is not a source name (1-32 of A-Z a-z 0-9 _ . -)");
  }
  out = *s;
}

void queue_log(YamlReader& r, const Value& section, AdaptersConfig::QueueLog& q) {
  r.mapping(section,
            {{"files",
              [&](const Value& list) {
                q.files.clear();
                r.sequence(list, [&](const Value& e) {
                  QueueLogFile f;
                  const auto keys = r.mapping(
                      e, {{"path",
                           [&](const Value& v) {
                             auto s = r.string(v);
                             if (s && s->empty()) {
                               r.error(v, "a path must not be empty");
                             } else if (s) {
                               f.path = *s;
                             }
                           }},
                          {"source", [&](const Value& v) { source_name(r, v, f.source); }}});
                  if (!keys.contains("path")) return r.error(e, "a queue_log file needs `path`");
                  if (!keys.contains("source"))
                    return r.error(e, "a queue_log file needs `source`");
                  if (f.path.empty() || f.source.empty()) return;  // reported above
                  for (const auto& other : q.files) {
                    if (other.source == f.source) {
                      return r.error(e, "source " + quoted(f.source) +
                                            " is already used by another file: each file is one "
                                            "PBX, its read position is kept per source");
                    }
                    if (other.path == f.path)
                      return r.error(e, "file " + quoted(f.path) + " is listed twice");
                  }
                  q.files.push_back(std::move(f));
                });
              }},
             {"poll_interval",
              [&](const Value& v) {
                if (auto d = r.duration(v, 10'000)) q.poll_interval = *d;
              }},
             {"wrapup",
              [&](const Value& v) {
                if (auto d = r.duration(v, 0)) q.wrapup = *d;
              }},
             {"strip_member_technology",
              [&](const Value& v) {
                if (auto b = r.boolean(v)) q.strip_member_technology = *b;
              }},
             {"max_read_bytes", [&](const Value& v) {
                // At least one line of the adapter's 4 KiB limit and its newline.
                if (auto n = r.size(v, 8192)) q.max_read_bytes = static_cast<std::size_t>(*n);
              }}});
}

void twilio(YamlReader& r, const Value& section, AdaptersConfig::Twilio& t) {
  r.mapping(section,
            {{"auth_token", [&](const Value& v) { secret(r, v, t.auth_token); }},
             {"public_base_url",
              [&](const Value& v) {
                auto s = r.string(v);
                if (!s) return;
                if (!s->empty() && !s->starts_with("http://") && !s->starts_with("https://")) {
                  return r.error(v, quoted(*s) +
                                        " must start with https:// or http:// (the URL Twilio "
                                        "calls, without the path /v1/adapters/...)");
                }
                std::string url = *s;
                while (!url.empty() && url.back() == '/') url.pop_back();
                t.public_base_url = url;
              }},
             {"worker_name_as_agent", [&](const Value& v) {
                if (auto b = r.boolean(v)) t.worker_name_as_agent = *b;
              }}});
}

}  // namespace

void read_adapters(YamlReader& r, const Value& section, AdaptersConfig& out) {
  r.mapping(
      section,
      {{"max_sources",
        [&](const Value& v) {
          if (auto n = r.integer(v, 1, 10000)) out.max_sources = static_cast<std::size_t>(*n);
        }},
       {"asterisk_queue_log", [&](const Value& v) { queue_log(r, v, out.asterisk_queue_log); }},
       {"twilio", [&](const Value& v) { twilio(r, v, out.twilio); }},
       {"amazon_connect", [&](const Value& v) {
          r.mapping(
              v, {{"api_key", [&](const Value& k) { secret(r, k, out.amazon_connect.api_key); }},
                  {"firehose_access_key",
                   [&](const Value& k) { secret(r, k, out.amazon_connect.firehose_access_key); }}});
        }}});
}

}  // namespace ccmon::config
