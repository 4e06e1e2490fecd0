// ccmon-sim: runs the contact-center model (simulator.hpp) and ships its
// events to a file or a daemon, paced against the wall clock or flat out.
// The only place here that reads a clock: the model gets time as arguments.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tools/sim/connect_writer.hpp"
#include "tools/sim/options.hpp"
#include "tools/sim/queue_log_writer.hpp"
#include "tools/sim/sender.hpp"
#include "tools/sim/simulator.hpp"
#include "tools/sim/twilio_writer.hpp"

namespace {

using namespace ccmon::sim;
namespace core = ccmon::core;

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
  g_stop = true;
}

core::Timestamp wall_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Advances simulated time with the wall clock (x factor) until the end or a
// signal; every tick's events go out at once so a dashboard sees them live.
void run_paced(Simulator& sim, Batcher& batcher, Sender& sender, double factor) {
  using clock = std::chrono::steady_clock;
  const auto wall0 = clock::now();
  constexpr auto kTick = std::chrono::milliseconds(100);
  while (!g_stop && !sim.finished()) {
    const double elapsed_us =
        std::chrono::duration<double, std::micro>(clock::now() - wall0).count();
    sim.run_until(sim.start() + static_cast<core::Duration>(elapsed_us * factor), batcher);
    batcher.flush();
    sender.idle();
    if (sim.finished()) break;
    const auto due = wall0 + std::chrono::microseconds(static_cast<std::int64_t>(
                                 static_cast<double>(sim.next_time() - sim.start()) / factor));
    std::this_thread::sleep_until(std::min(due, clock::now() + kTick));
  }
}

void run_flat_out(Simulator& sim, Batcher& batcher) {
  // In slices, so that a signal stops a long run early.
  while (!g_stop && !sim.finished()) sim.run_until(sim.next_time() + core::minutes(1), batcher);
  batcher.flush();
}

std::string summary_json(const Simulator& sim, const Options& o, const Acknowledged& ack,
                         bool interrupted) {
  auto out = nlohmann::ordered_json::object();
  out["seed"] = sim.config().seed;
  out["id_prefix"] = sim.id_prefix();
  out["start"] = EventWriter::rfc3339(sim.start());
  out["end"] = EventWriter::rfc3339(sim.end());
  out["interrupted"] = interrupted;
  out["emitted"] = sim.counts().events();
  out["acknowledged"] = {{"events", ack.events},         {"accepted", ack.accepted},
                         {"duplicates", ack.duplicates}, {"rejected", ack.rejected},
                         {"batches", ack.batches},       {"reconnects", ack.reconnects},
                         {"retries", ack.retries}};
  const auto counts = nlohmann::ordered_json::parse(sim.counts().to_json(o.sim.queues));
  out["types"] = counts["types"];
  out["series"] = counts["series"];
  return out.dump(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  ParsedOptions parsed = parse_options(args);
  if (!parsed.error.empty()) {
    std::cerr << "ccmon-sim: " << parsed.error << "\n(try --help)\n";
    return 2;
  }
  Options& o = parsed.options;
  if (o.help) {
    std::cout << kHelp;
    return 0;
  }
  o.sim.start = resolve_start(o, wall_now());
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);  // a dropped socket is an error code, not a death

  try {
    std::unique_ptr<Sender> sender;
    if (!o.out.empty()) {
      sender = make_file_sender(o.out);
    } else if (o.url.starts_with("kafka://")) {
      const std::string rest = o.url.substr(8);
      const auto slash = rest.find('/');
      sender = make_kafka_sender(rest.substr(0, slash), rest.substr(slash + 1), {o.give_up});
    } else {
      const Endpoint endpoint = parse_endpoint(o.url);
      const RetryPolicy retry{o.give_up};
      sender = endpoint.scheme == "ws" ? make_ws_sender(endpoint, o.token, o.window, retry)
                                       : make_http_sender(endpoint, o.token, retry);
    }
    Simulator sim(o.sim);
    QueueLogWriter queue_log;
    ConnectWriter connect;
    TwilioWriter twilio;
    std::string native;
    Batcher batcher(o.batch, [&](std::string_view frame, std::size_t n) {
      if (o.format == Options::Format::kCcmon) return sender->send(frame, n);
      native.clear();
      if (o.format == Options::Format::kQueueLog) {
        queue_log.convert(frame, native);
      } else if (o.format == Options::Format::kConnect) {
        connect.convert(frame, native);
      } else {
        twilio.convert(frame, native);
      }
      sender->send(native, n);  // acknowledged in ccmon events, as written
    });
    if (o.speed == Speed::kMax) {
      run_flat_out(sim, batcher);
    } else {
      run_paced(sim, batcher, *sender, o.speed == Speed::kRealtime ? 1.0 : o.factor);
    }
    sender->finish();
    const Acknowledged& ack = sender->acknowledged();
    if (o.summary) {
      (o.out == "-" ? std::cerr : std::cout) << summary_json(sim, o, ack, g_stop) << "\n";
    }
    if (ack.events != sim.counts().events()) {
      std::cerr << "ccmon-sim: " << ack.events << " of " << sim.counts().events()
                << " events acknowledged\n";
      return 1;
    }
    if (ack.rejected != 0) {
      std::cerr << "ccmon-sim: the daemon rejected " << ack.rejected << " events\n";
      return 3;
    }
  } catch (const std::exception& e) {
    std::cerr << "ccmon-sim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
