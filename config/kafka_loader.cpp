#include "config/kafka_loader.hpp"

#include <algorithm>
#include <string>

#include "core/adapters/adapter.hpp"

namespace ccmon::config {

const char* to_string(KafkaFormat f) {
  switch (f) {
    case KafkaFormat::kCcmon:
      return "ccmon";
    case KafkaFormat::kAsteriskQueueLog:
      return "asterisk_queue_log";
    case KafkaFormat::kTwilio:
      return "twilio";
    case KafkaFormat::kAmazonConnect:
      return "amazon_connect";
  }
  return "ccmon";
}

namespace {

constexpr KafkaFormat kFormats[] = {KafkaFormat::kCcmon, KafkaFormat::kAsteriskQueueLog,
                                    KafkaFormat::kTwilio, KafkaFormat::kAmazonConnect};

// "HOST:PORT" with a port in 1..65535 and no scheme, or a reason.
const char* broker_problem(const std::string& s) {
  if (s.find("://") != std::string::npos)
    return "is not HOST:PORT (no scheme: TLS and SASL go in properties)";
  if (s.find(',') != std::string::npos) return "is not HOST:PORT (one broker per list element)";
  const auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size() || s.size() - colon > 6)
    return "is not HOST:PORT";
  unsigned port = 0;
  for (std::size_t i = colon + 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return "is not HOST:PORT";
    port = port * 10 + static_cast<unsigned>(s[i] - '0');
  }
  if (port == 0 || port > 65535) return "has a port outside 1..65535";
  return nullptr;
}

// A topic name as Kafka allows it (1-249 of A-Z a-z 0-9 . _ -): no regex
// subscription ("^..."), whose matches would make the topic labels unbounded.
const char* topic_problem(const std::string& s) {
  if (s.size() > 249) return "is longer than Kafka's 249 characters";
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return "is not a topic name (A-Z a-z 0-9 . _ -; no regular expressions)";
  }
  return nullptr;
}

// A list of names (or one name): each non-empty, none twice, and for
// brokers each HOST:PORT.
void names(YamlReader& r, const Value& v, std::vector<std::string>& out, const char* what,
           bool brokers = false) {
  out.clear();
  auto add = [&](const Value& e) {
    auto s = r.string(e);
    if (!s) return;
    if (s->empty()) return r.error(e, std::string(what) + " must not be empty");
    if (const char* why = brokers ? broker_problem(*s) : topic_problem(*s))
      return r.error(e, quoted(*s) + " " + why);
    if (std::find(out.begin(), out.end(), *s) != out.end())
      return r.error(e, "duplicate " + std::string(what) + " " + quoted(*s));
    out.push_back(*s);
  };
  if (v.node.IsScalar()) return add(v);
  r.sequence(v, add);
}

}  // namespace

void read_kafka(YamlReader& r, const Value& section, KafkaConfig& out) {
  const auto keys = r.mapping(
      section,
      {{"brokers",
        [&](const Value& v) {
          names(r, v, out.brokers, "broker", true);
          if (v.node.IsSequence() && v.node.size() == 0)
            r.error(v, "at least one broker is required");
        }},
       {"topics",
        [&](const Value& v) {
          names(r, v, out.topics, "topic");
          if (v.node.IsSequence() && v.node.size() == 0)
            r.error(v, "at least one topic is required");
        }},
       {"group_id",
        [&](const Value& v) {
          auto s = r.string(v);
          if (s && s->empty()) return r.error(v, "a consumer group id must not be empty");
          if (s) out.group_id = *s;
        }},
       {"format",
        [&](const Value& v) {
          auto s = r.string(v);
          if (!s) return;
          for (auto f : kFormats) {
            if (*s == to_string(f)) {
              out.format = f;
              return;
            }
          }
          r.error(v, quoted(*s) +
                         " is not a format: ccmon, asterisk_queue_log, twilio or amazon_connect");
        }},
       {"source",
        [&](const Value& v) {
          auto s = r.string(v);
          if (!s) return;
          if (!core::adapters::valid_source_name(*s))
            return r.error(v, quoted(*s) + " is not a source name (1-32 of A-Z a-z 0-9 _ . -)");
          out.source = *s;
        }},
       {"max_batch_messages",
        [&](const Value& v) {
          if (auto n = r.integer(v, 1, 1'000'000))
            out.max_batch_messages = static_cast<std::size_t>(*n);
        }},
       {"state_dir",
        [&](const Value& v) {
          auto s = r.string(v);
          if (!s) return;
          if (!s->empty() && s->front() != '/')
            return r.error(v, "the partition state directory must be an absolute path");
          out.state_dir = *s;
        }},
       {"snapshot_interval",
        [&](const Value& v) {
          if (auto d = r.duration(v, core::seconds(1))) out.snapshot_interval = *d;
        }},
       {"properties", [&](const Value& v) {
          out.properties.clear();
          if (!v.node.IsDefined() || v.node.IsNull()) return;
          if (!v.node.IsMap()) {
            return r.error(v, "expected a mapping of librdkafka properties (name: value)");
          }
          for (const auto& kv : v.node) {
            const std::string name = kv.first.as<std::string>();
            Value value{kv.second, v.path + "." + name, kv.second.Mark()};
            const char* instead =
                name == "bootstrap.servers" || name == "metadata.broker.list"
                    ? "use ingest.kafka.brokers"
                : name == "group.id" ? "use ingest.kafka.group_id"
                : name == "enable.auto.commit" || name == "enable.auto.offset.store"
                    ? "ccmond commits an offset once its batch is applied"
                    : nullptr;
            if (instead) {
              r.error(value,
                      std::string("set by ccmond (docs/kafka.md, \"librdkafka properties\"): ") +
                          instead);
              continue;
            }
            auto s = r.string(value);
            if (s) out.properties.emplace_back(name, *s);
          }
        }}});
  // A section that is there is meant to consume: both are needed.
  if (!keys.empty() && !keys.contains("topics")) {
    r.error(section, "ingest.kafka needs `topics` to consume");
  }
  if (!keys.empty() && !keys.contains("brokers")) {
    r.error(section, "ingest.kafka needs `brokers` (bootstrap servers, HOST:PORT)");
  }
}

}  // namespace ccmon::config
