// How one bank call record becomes ccmon events (docs/events.md). The rules,
// also written out in docs/replay.md:
//
//  * PHANTOM: no events (the bank itself says to ignore them).
//  * Midnight: every clock time of a record that is more than 12 h earlier
//    than its vru_entry belongs to the next day (calls never last 12 h).
//  * Queued (q_start != 0:00:00), AGENT: created, queued at q_start, answered
//    at q_exit by `server`, ended and wrapped at q_exit + service time, where
//    service time = ser_exit - ser_start. The bank's own wait (q_time =
//    q_exit - q_start) and service time (ser_time) are both kept: the agent's
//    clock often starts the service 1-5 s before the queue records its exit,
//    and sometimes even before q_start, which would make waits negative.
//  * Queued, HANG: created, queued at q_start, abandoned at q_exit.
//  * Never queued, AGENT: served at once: created, queued and answered at
//    ser_start (wait 0), ended and wrapped at ser_start + service time.
//  * AGENT records without service times (ser_start = ser_exit = 0:00:00,
//    ser_time 0) are served for 0 s; never queued, at vru_exit.
//  * Never queued, HANG: the call ended in the VRU (IVR) without asking for an
//    agent: created, then self_served at vru_exit.
//  * created is at vru_entry, or at the call's first other event when that is
//    earlier (records with a negative vru_time).
//  * No hold and no after-contact work are recorded: wrapped = ended.
#pragma once

#include <string>
#include <vector>

#include "core/event.hpp"
#include "tools/bank/bank_record.hpp"
#include "tools/bank/civil_time.hpp"

namespace ccmon::bank {

struct PlannedEvent {
  core::EventType type;
  LocalSeconds at;  // local wall-clock time of the bank
};

// The events of one record, in lifecycle order (also time order). Empty for
// PHANTOM records.
std::vector<PlannedEvent> plan_events(const BankRecord& r);

// "bank-990315-36227-AA0101": date, call_id and vru+line identify a call.
std::string contact_id(const BankRecord& r);

// One NDJSON line (no newline) for a planned event; `offset_s` is the UTC
// offset of the event's local time.
std::string event_json(const BankRecord& r, const PlannedEvent& e, std::int32_t offset_s);

}  // namespace ccmon::bank
