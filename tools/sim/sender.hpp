// Where the batches go: an NDJSON file, a WebSocket stream, HTTP POSTs or a
// Kafka topic.
// Senders block while the daemon is slow or away (backpressure reaches the
// simulator, which simply waits), and throw std::runtime_error on a fatal
// error (a daemon gone for longer than --give-up, a 4xx answer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace ccmon::sim {

struct Acknowledged {
  std::uint64_t events = 0;  // events acknowledged: accepted + duplicates + rejected
  std::uint64_t accepted = 0;
  std::uint64_t duplicates = 0;  // resent after a reconnect and already known
  std::uint64_t rejected = 0;
  std::uint64_t batches = 0;
  std::uint64_t reconnects = 0;  // connections lost and re-established
  std::uint64_t retries = 0;     // batches sent again (503, a refused frame, lost connection)
};

class Sender {
 public:
  virtual ~Sender() = default;
  // One batch of `events` NDJSON lines. Returns once the batch is safely on
  // its way (file written, or within the in-flight window).
  virtual void send(std::string_view frame, std::size_t events) = 0;
  // Waits until every batch is acknowledged.
  virtual void finish() = 0;
  // Called between batches of a paced run: collects replies that are already
  // there and keeps a quiet connection from hitting the daemon's idle timeout.
  virtual void idle() {}
  const Acknowledged& acknowledged() const { return ack_; }

 protected:
  Acknowledged ack_;
};

struct Endpoint {
  std::string scheme;  // "ws" or "http"
  std::string host;
  std::string port;
  std::string target;  // path
};

// ws://HOST[:PORT]/PATH or http://HOST[:PORT]/PATH; throws on anything else.
Endpoint parse_endpoint(std::string_view url);

// What one daemon reply said: its "seq" (0 when absent), and whether the
// daemon could not store the batch (`{"error": "state_unavailable"}`: the
// state is being restored at start, or the disk is full; docs/ingestion.md)
// and it must be sent again.
struct Reply {
  std::uint64_t seq = 0;
  bool resend = false;
};

// Counts one daemon reply {"accepted", "duplicates", "rejected": [...]} into
// `ack`; the first rejections are reported on standard error. A
// `state_unavailable` reply counts nothing and asks for a resend. Throws when
// the reply is neither (a daemon error such as `internal_error`, or not JSON).
Reply count_reply(std::string_view body, Acknowledged& ack);

struct RetryPolicy {
  core::Duration give_up = core::minutes(10);
};

std::unique_ptr<Sender> make_file_sender(const std::string& path);  // "-": stdout
std::unique_ptr<Sender> make_ws_sender(const Endpoint& endpoint, std::string token,
                                       std::size_t window, RetryPolicy retry);
std::unique_ptr<Sender> make_http_sender(const Endpoint& endpoint, std::string token,
                                         RetryPolicy retry);
// kafka://BROKER[,BROKER...]/TOPIC: `brokers` the bootstrap servers
// ("h1:9092,h2:9092"); docs/kafka.md for the keys.
std::unique_ptr<Sender> make_kafka_sender(const std::string& brokers, const std::string& topic,
                                          RetryPolicy retry);

}  // namespace ccmon::sim
