// The simulator's contacts as Amazon Connect contact events, the way
// EventBridge delivers them (ccmon-sim --format connect): one EventBridge
// event per line, each a valid body for POST /v1/adapters/amazon-connect/events
// (or a JSON array of lines). The inverse of docs/adapters.md's Connect table,
// for what contact events can say:
//
//   contact.created      INITIATED (INBOUND)
//   contact.queued       QUEUED (queueInfo)
//   contact.answered     CONNECTED_TO_AGENT (agentInfo)
//   contact.abandoned    DISCONNECTED, queued, CUSTOMER_DISCONNECT
//   contact.overflowed   DISCONNECTED, queued, disconnectReason = the reason
//                        upper-cased (the adapter lowercases it back)
//   contact.ended        DISCONNECTED, connected
//   contact.wrapped      COMPLETED (afterContactWorkEndTimestamp)
//   contact.transferred  INITIATED (TRANSFER) of a new contact whose
//                        previousContactId is the old one
//
// Connect gives every transfer, callback or re-queue a new ContactId: the
// simulator's contact becomes "<contact>", "<contact>~1", "<contact>~2"...
// Channels voice, chat and email only (Connect has no separate messaging
// channel); agent states are the agent event stream's (Firehose), not
// written here, nor holds, messages, cases or surveys. Queues and agents are
// written as ARNs ending in their names. Pure; not thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ccmon::sim {

class ConnectWriter {
 public:
  // Appends one EventBridge event a line for `ndjson` (the simulator's
  // events) to `out`; returns how many it wrote.
  std::size_t convert(std::string_view ndjson, std::string& out);

 private:
  struct Contact {
    std::string channel;  // VOICE, CHAT, EMAIL
    int segment = 0;      // a new ContactId per transfer, callback or re-queue
    bool initiated = false;
    bool ended = false;  // the segment ended: a new queue is a new contact
    std::string queue;
    std::string enqueued;   // RFC 3339, empty when not queued in this segment
    std::string agent;      // empty when not connected in this segment
    std::string connected;  // RFC 3339
  };
  std::unordered_map<std::string, Contact> contacts_;
};

}  // namespace ccmon::sim
