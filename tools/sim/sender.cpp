#include "tools/sim/sender.hpp"

#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace ccmon::sim {

Endpoint parse_endpoint(std::string_view url) {
  Endpoint e;
  const std::size_t colon = url.find("://");
  if (colon == std::string_view::npos) throw std::runtime_error("not a URL: " + std::string(url));
  e.scheme = url.substr(0, colon);
  if (e.scheme != "ws" && e.scheme != "http") {
    throw std::runtime_error("unsupported scheme `" + e.scheme + "` (ws or http)");
  }
  std::string_view rest = url.substr(colon + 3);
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  e.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::size_t port_colon = authority.rfind(':');
  if (!authority.empty() && authority.front() == '[') {  // [::1]:9477
    const std::size_t close = authority.find(']');
    port_colon = close == std::string_view::npos ? close : authority.find(':', close);
    e.host = authority.substr(1, close - 1);
  } else {
    e.host = authority.substr(0, port_colon);
  }
  e.port =
      port_colon == std::string_view::npos ? "80" : std::string(authority.substr(port_colon + 1));
  if (e.host.empty() || e.port.empty())
    throw std::runtime_error("no host or port in " + std::string(url));
  return e;
}

Reply count_reply(std::string_view body, Acknowledged& ack) {
  const auto reply = nlohmann::json::parse(body, nullptr, false);
  if (reply.is_object() && reply.value("error", "") == "state_unavailable") {
    return {reply.value("seq", std::uint64_t{0}), true};
  }
  if (!reply.is_object() || !reply.contains("accepted")) {
    throw std::runtime_error("unexpected reply from the daemon: " +
                             std::string(body.substr(0, 300)));
  }
  const auto accepted = reply.value("accepted", std::uint64_t{0});
  const auto duplicates = reply.value("duplicates", std::uint64_t{0});
  std::uint64_t rejected = 0;
  if (const auto it = reply.find("rejected"); it != reply.end() && it->is_array()) {
    for (const auto& r : *it) {
      // The first few are enough to see what is wrong.
      if (ack.rejected + rejected < 5)
        std::cerr << "ccmon-sim: event rejected: " << r.dump() << "\n";
      ++rejected;
    }
  }
  ack.accepted += accepted;
  ack.duplicates += duplicates;
  ack.rejected += rejected;
  ack.events += accepted + duplicates + rejected;
  ++ack.batches;
  return {reply.value("seq", std::uint64_t{0}), false};
}

}  // namespace ccmon::sim
