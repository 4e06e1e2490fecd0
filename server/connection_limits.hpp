// Which TCP connections may open (docs/security.md, "Connections"): a cap on
// all of them, a cap per client address, the connections reclaimed to make
// room at the cap (the oldest idle one first, else the one that has been
// reading its request's headers the longest: a slowloris), and a small
// reserve that only the scrape and health probes may use when nothing can be
// reclaimed. Pure bookkeeping: no sockets, no clock, no logging.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ccmon::server {

struct ConnectionCaps {
  std::size_t max_connections = 1024;  // ordinary connections, all addresses together
  std::size_t per_address = 128;       // connections (ordinary and reserved) from one address
  std::size_t reserve = 8;             // beyond max_connections, for probes only
};

// What an admitted connection is doing, as far as reclaiming goes.
enum class Phase {
  kBusy,     // serving a request, its body, or a WebSocket: never reclaimed
  kIdle,     // waiting for a request's first byte: reclaimed first
  kReading,  // reading a request's line and headers: reclaimed when none is idle
};

// What a connection may ask for, by how it got in (docs/security.md,
// "Connections").
enum class Lane {
  kOrdinary,  // every endpoint
  kReserve,   // the probe reserve of a full listener: one probe, then closed
  kMetrics,   // server.metrics_listen: probes only, kept alive
};

enum class Admit {
  kOrdinary,     // admitted
  kReserved,     // admitted into the reserve: serve only a probe, then close
  kAddressFull,  // refused: its address holds per_address connections
  kFull,         // refused: max_connections + reserve open, none idle
};

// Thread-safe: every member takes one mutex. Callbacks given to idle() are
// never called under it; admit() hands the reclaimed one back to the caller.
class ConnectionLimits {
 public:
  struct Decision {
    Admit admit = Admit::kFull;
    std::uint64_t slot = 0;  // when admitted: pass to release(), idle(), busy()
    // When admitting needed room: the callback of the connection whose slot
    // was taken; the caller calls it (outside any lock) to close it. That
    // connection no longer counts from now on.
    std::function<void()> reclaimed;
    Phase reclaimed_phase = Phase::kBusy;  // kIdle or kReading when reclaimed is set
  };

  // `address` is any key naming the client (ccmond uses the IPv4 address, or
  // the IPv6 /64 prefix). Order: the address cap first; then an ordinary
  // slot; at the cap an ordinary connection is reclaimed for it, the one idle
  // the longest, else the one reading headers the longest; with none of
  // either, a reserved slot; else refused.
  Decision admit(const std::string& address, const ConnectionCaps& caps);

  // The connection closed; a reclaimed slot's release is a no-op.
  void release(std::uint64_t slot);

  // The connection enters `phase`. In kIdle and kReading it may be
  // reclaimed: `reclaim` is then called (at most once, by admit()'s caller).
  // Entering a phase again makes it the newest in it. Reserved slots are
  // never reclaimed.
  void enter(std::uint64_t slot, Phase phase, std::function<void()> reclaim = {});

  std::size_t open() const;              // ordinary + reserved
  std::size_t reserved() const;          // reserved only
  std::size_t count(Phase phase) const;  // ordinary connections in kIdle or kReading
  std::size_t addresses() const;         // addresses with a connection open

 private:
  using Queue = std::map<std::uint64_t, std::uint64_t>;  // ticket (oldest first) -> slot
  struct Slot {
    std::string address;
    bool reserved = false;
    Phase phase = Phase::kBusy;
    std::uint64_t ticket = 0;  // its key in the phase's queue
    std::function<void()> reclaim;
  };
  // Under the lock.
  Queue* queue(Phase phase);
  void leave_phase(Slot& s);
  void forget(std::unordered_map<std::uint64_t, Slot>::iterator it);

  mutable std::mutex mutex_;
  std::uint64_t next_slot_ = 1;
  std::uint64_t next_ticket_ = 1;
  std::size_t ordinary_ = 0;
  std::size_t reserved_ = 0;
  std::unordered_map<std::uint64_t, Slot> slots_;
  std::unordered_map<std::string, std::size_t> per_address_;
  Queue idle_;
  Queue reading_;
};

}  // namespace ccmon::server
