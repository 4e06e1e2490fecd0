#include "server/daemon.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <filesystem>
#include <future>
#include <vector>

#include "server/build_info.hpp"
#include "server/durable_state.hpp"
#include "server/engine_runner.hpp"
#include "server/io_pool.hpp"
#include "server/kafka_source.hpp"
#include "server/listener.hpp"
#include "server/live_publisher.hpp"
#include "server/queue_log_follower.hpp"
#include "server/reloader.hpp"
#include "server/self_metrics.hpp"
#include "server/server_context.hpp"
#include "server/tls_context.hpp"

namespace ccmon::server {
namespace asio = boost::asio;

namespace {

constexpr auto kDrainTimeout = std::chrono::seconds(10);

std::string join_errors(const std::vector<config::ConfigError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += config::to_string(e);
  }
  return out;
}

// "HOST:PORT" or "[v6]:PORT" (as server.listen validates it) -> endpoint;
// host names are resolved.
bool resolve_listen(const std::string& listen, asio::ip::tcp::endpoint& out, std::string& error) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    error = "listen address `" + listen + "` is not HOST:PORT";
    return false;
  }
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(host, port, asio::ip::resolver_base::numeric_service, ec);
  if (ec || results.empty()) {
    error = "cannot resolve listen address `" + listen + "`: " + ec.message();
    return false;
  }
  out = results.begin()->endpoint();
  return true;
}

std::string format_endpoint(const asio::ip::tcp::endpoint& ep) {
  const auto addr = ep.address();
  return (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" +
         std::to_string(ep.port());
}

void apply_log_level(const std::string& level) {
  spdlog::set_level(spdlog::level::from_str(level));
}

// The wallboard feed's settings from the configuration.
LiveOptions live_options(const config::Config& c) {
  return {c.wallboard.max_viewers, c.wallboard.feed_agents, c.wallboard.at_risk_margin};
}

}  // namespace

config::LoadResult load_configuration(const CommandLine& cli) {
  config::LoadResult result =
      cli.config_path ? config::load_config_file(*cli.config_path)
                      : config::load_config_string(config::embedded_default_config(), "<embedded>");
  if (!result.config) return result;
  // Validated when the command line was parsed; checked again all the same.
  auto errors = config::apply_overrides(*result.config, overrides(cli));
  if (!errors.empty()) {
    result.config.reset();
    result.errors = std::move(errors);
  }
  return result;
}

struct Daemon::Impl {
  Impl(config::Config config, CommandLine command_line)
      : cli(std::move(command_line)),
        metrics(kVersion),
        runner(config, metrics, system_wall_clock),
        ctx(std::make_shared<ServerContext>(
            std::make_shared<const config::Config>(std::move(config)), metrics, runner)),
        signals(main_io, SIGINT, SIGTERM, SIGHUP),
        drain_timer(main_io),
        reloader([this] { return reload(); }) {}
  // The engine thread hands views to the publisher and batches to the io
  // threads: it stops before they go, also when run() left early (a no-op
  // after a shutdown, which stopped it already).
  ~Impl() { runner.drain_and_stop(); }

  int run();
  // Opens `listen` (the key named in errors); logs and returns null on failure.
  std::shared_ptr<Listener> open_listener(const std::string& key, const std::string& listen,
                                          std::shared_ptr<const TlsContextSlot> tls_slot,
                                          bool metrics_only = false);
  // The TLS context a reload to `next` brings, or null when there is none
  // to swap in; sets `error` when the files cannot be loaded.
  TlsContextPtr reload_tls(const config::Config& next, std::string& error);
  void wait_signal();
  ReloadOutcome reload();
  void shutdown();
  void wait_drained(std::chrono::steady_clock::time_point deadline);

  CommandLine cli;
  SelfMetrics metrics;
  // Before the runner, which frees batches on the io threads until it is
  // stopped.
  IoPool io_pool;
  asio::io_context& main_io = io_pool.main();
  EngineRunner runner;
  std::shared_ptr<ServerContext> ctx;
  asio::signal_set signals;
  asio::steady_timer drain_timer;
  std::shared_ptr<Listener> listener;          // server.listen
  std::shared_ptr<Listener> plain_listener;    // server.plain_listen, if set
  std::shared_ptr<Listener> metrics_listener;  // server.metrics_listen, if set
  std::shared_ptr<TlsContextSlot> tls;         // server.listen's, when it is TLS
  // adapters.asterisk_queue_log.files, fixed at start.
  std::vector<std::shared_ptr<QueueLogFollower>> followers;
  std::unique_ptr<KafkaSource> kafka;  // ingest.kafka, fixed at start
  config::KafkaConfig kafka_started;   // what it was started with
  // The wallboard feed's renders (docs/wallboard.md), off the I/O threads.
  LivePublisher publisher{[feed = ctx->live](const View& view) { feed->publish(view); },
                          [this] { metrics.live_tick_skipped(); }};
  Reloader reloader;  // last: its thread may call reload() as soon as it exists
};

std::shared_ptr<Listener> Daemon::Impl::open_listener(
    const std::string& key, const std::string& listen,
    std::shared_ptr<const TlsContextSlot> tls_slot, bool metrics_only) {
  asio::ip::tcp::endpoint endpoint;
  std::string error;
  if (!resolve_listen(listen, endpoint, error)) {
    spdlog::critical("{}: {}", key, error);
    return nullptr;
  }
  auto l = std::make_shared<Listener>(io_pool, ctx, std::move(tls_slot), metrics_only);
  if (auto ec = l->listen(endpoint)) {
    spdlog::critical("cannot listen on {} ({}): {}", listen, key, ec.message());
    return nullptr;
  }
  return l;
}

int Daemon::Impl::run() {
  auto config = ctx->config();
  apply_log_level(config->log_level);
  std::string error;
  if (config->tls.enabled()) {
    auto context = make_tls_context(config->tls, error);
    if (!context) {
      spdlog::critical("{}", error);
      return 1;
    }
    tls = std::make_shared<TlsContextSlot>(std::move(context));
  }
  // The state directory's lock first: a second daemon on it exits before
  // it takes a port or touches a file.
  if (!config->durable.dir.empty()) {
    bool in_use = false;
    auto state = DurableState::open(config->durable, metrics, error, in_use);
    if (!state) {
      spdlog::critical("{}", error);
      return in_use ? 2 : 1;
    }
    runner.attach_state(std::move(state), state_codec());
  }
  if (config->kafka.enabled()) {
    kafka_started = config->kafka;
    kafka = KafkaSource::create(ctx, config->kafka, error);
    if (!kafka) {
      spdlog::critical("{}", error);
      return 1;
    }
  }
  listener = open_listener("server.listen", config->listen, tls);
  if (!listener) return 1;
  if (!config->plain_listen.empty()) {
    plain_listener = open_listener("server.plain_listen", config->plain_listen, nullptr);
    if (!plain_listener) return 1;
  }
  if (!config->metrics_listen.empty()) {
    metrics_listener = open_listener("server.metrics_listen", config->metrics_listen, tls, true);
    if (!metrics_listener) return 1;
  }
  ctx->reload = [this](std::function<void(ReloadOutcome)> done) {
    reloader.request(std::move(done));
  };
  // Each tick's view goes to the wallboard feed, rendered on the
  // publisher's own thread: the engine thread only hands it over.
  ctx->live->configure(live_options(*config));
  runner.on_tick([this](std::shared_ptr<const View> view) { publisher.offer(std::move(view)); });
  runner.free_batches_on(io_pool.executors());
  runner.start();
  for (const auto& file : config->adapters.asterisk_queue_log.files) {
    followers.push_back(std::make_shared<QueueLogFollower>(
        main_io, ctx, file, std::filesystem::path(config->durable.dir)));
    followers.back()->start();
  }
  if (kafka) kafka->start();
  listener->run();
  if (plain_listener) plain_listener->run();
  if (metrics_listener) metrics_listener->run();
  wait_signal();
  metrics.config_success_time(core::to_seconds(system_wall_clock()));
  ctx->ready = true;
  spdlog::info("ccmond {} listening on {}://{} (config {}, {} clock, state {})", kVersion,
               tls ? "https" : "http", format_endpoint(listener->local_endpoint()), config->source,
               config->clock == config::ClockMode::kEvent ? "event" : "wall",
               config->durable.dir.empty() ? std::string("not kept") : config->durable.dir);
  if (tls) {
    spdlog::info(
        "TLS: certificate {}, {}", config->tls.cert_file,
        config->tls.client_ca_file.empty()
            ? std::string("no client certificates asked")
            : "clients must present a certificate signed by " + config->tls.client_ca_file);
  }
  if (plain_listener) {
    spdlog::info("plain HTTP also on http://{} (server.plain_listen)",
                 format_endpoint(plain_listener->local_endpoint()));
  }
  if (metrics_listener) {
    spdlog::info("metrics and probes also on {}://{} (server.metrics_listen)",
                 tls ? "https" : "http", format_endpoint(metrics_listener->local_endpoint()));
  }

  io_pool.run();
  spdlog::info("ccmond stopped");
  return 0;
}

void Daemon::Impl::wait_signal() {
  signals.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      reloader.request();
      return wait_signal();
    }
    spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    shutdown();
  });
}

TlsContextPtr Daemon::Impl::reload_tls(const config::Config& next, std::string& error) {
  const auto& running = ctx->config()->tls;
  if (!tls) {
    if (next.tls.enabled()) {
      spdlog::warn("server.tls set: server.listen turns to TLS at the next restart");
    }
    return nullptr;
  }
  if (!next.tls.enabled()) {
    // Never silently back to plain text: the listener keeps TLS.
    spdlog::warn(
        "server.tls removed: server.listen stays TLS, with the certificate it has, until the "
        "next restart");
    return nullptr;
  }
  if (!running.client_ca_file.empty() && next.tls.client_ca_file.empty()) {
    spdlog::warn("server.tls.client_ca_file removed: new connections need no client certificate");
  }
  // Read again even when the paths are the same: a renewed certificate is
  // usually written over the old file.
  return make_tls_context(next.tls, error);
}

// Runs on the reload thread, one reload at a time.
ReloadOutcome Daemon::Impl::reload() {
  config::LoadResult loaded = load_configuration(cli);
  for (auto& why : config::reload_refusals(*ctx->config(), loaded)) {  // empty file, tokens dropped
    loaded.errors.push_back({cli.config_path.value_or("<embedded>"), 0, 0, std::move(why)});
    loaded.config.reset();
  }
  // ingest.kafka.properties librdkafka refuses would stop the next start:
  // refused now, like a bad file.
  if (loaded.config) {
    if (std::string why; !kafka_properties_valid(loaded.config->kafka, why)) {
      loaded.errors.push_back({cli.config_path.value_or("<embedded>"), 0, 0, std::move(why)});
      loaded.config.reset();
    }
  }
  // A certificate, key or CA that does not load refuses the reload like a
  // bad file: the running ones stay.
  TlsContextPtr next_tls;
  if (loaded.config) {
    std::string why;
    next_tls = reload_tls(*loaded.config, why);
    if (!why.empty()) {
      loaded.errors.push_back({cli.config_path.value_or("<embedded>"), 0, 0, std::move(why)});
      loaded.config.reset();
    }
  }
  if (!loaded.config) {
    const std::string message = join_errors(loaded.errors);
    spdlog::error("configuration reload refused, keeping the running configuration: {}", message);
    metrics.reload(false);
    return {false, message};
  }
  for (const auto& w : loaded.warnings) spdlog::warn("{}", config::to_string(w));
  auto next = std::make_shared<const config::Config>(std::move(*loaded.config));
  auto previous = ctx->config();
  if (next->listen != previous->listen) {
    spdlog::warn("server.listen changed to {}: takes effect at the next restart", next->listen);
  }
  if (next->plain_listen != previous->plain_listen) {
    spdlog::warn("server.plain_listen changed to \"{}\": takes effect at the next restart",
                 next->plain_listen);
  }
  if (next->metrics_listen != previous->metrics_listen) {
    spdlog::warn("server.metrics_listen changed to \"{}\": takes effect at the next restart",
                 next->metrics_listen);
  }
  const auto& d = next->durable;
  const auto& p = previous->durable;
  if (d.dir != p.dir || d.sync != p.sync || d.sync_interval != p.sync_interval ||
      d.snapshot_interval != p.snapshot_interval ||
      d.snapshot_journal_bytes != p.snapshot_journal_bytes) {
    spdlog::warn("state.* changed: takes effect at the next restart");
  }
  if (!(next->kafka == previous->kafka)) {
    spdlog::warn("ingest.kafka {}: takes effect at the next restart",
                 next->kafka == kafka_started
                     ? "is back to what the running source was started with"
                     : "changed");
  }
  if (next->shards != previous->shards) {
    spdlog::warn("state.shards changed to {}: takes effect at the next restart", next->shards);
  }
  if (next->adapters.asterisk_queue_log.files != previous->adapters.asterisk_queue_log.files) {
    spdlog::warn("adapters.asterisk_queue_log.files changed: takes effect at the next restart");
  }
  apply_log_level(next->log_level);
  // Answer only once the engine runs with the new rules.
  std::promise<void> applied;
  runner.reconfigure(*next, [&applied] { applied.set_value(); });
  applied.get_future().wait();
  ctx->set_config(next);
  if (next_tls) tls->set(std::move(next_tls));  // new handshakes; open connections keep theirs
  ctx->connections.config_changed_all();        // open WebSocket streams take it up now
  ctx->live->configure(live_options(*next));    // and viewers get a fresh state
  metrics.reload(true);
  metrics.config_success_time(core::to_seconds(system_wall_clock()));
  spdlog::info("configuration reloaded from {}", next->source);
  return {true, next->source};
}

void Daemon::Impl::shutdown() {
  if (ctx->stopping.exchange(true)) return;
  ctx->ready = false;
  listener->stop();
  if (plain_listener) plain_listener->stop();
  if (metrics_listener) metrics_listener->stop();
  ctx->connections.close_all();
  for (auto& f : followers) f->stop();
  if (kafka) kafka->stop();  // its batch in flight is applied, its offsets committed
  wait_drained(std::chrono::steady_clock::now() + kDrainTimeout);
}

void Daemon::Impl::wait_drained(std::chrono::steady_clock::time_point deadline) {
  // Connections finish the requests and frames they already read; then the
  // engine applies everything submitted, and only then does the process exit.
  if (ctx->open_connections.load() != 0 && std::chrono::steady_clock::now() < deadline) {
    drain_timer.expires_after(std::chrono::milliseconds(10));
    drain_timer.async_wait([this, deadline](const boost::system::error_code&) {
      ctx->connections.close_all();
      wait_drained(deadline);
    });
    return;
  }
  if (ctx->open_connections.load() != 0) {
    spdlog::warn("{} connections still open after the drain timeout; closing",
                 ctx->open_connections.load());
  }
  reloader.stop();  // before the engine: a reload waits for it
  runner.drain_and_stop();
  publisher.stop();  // after the engine: no tick comes after this
  signals.cancel();
  // Not at once: what the engine answered while draining (a queue_log
  // follower's last batch, whose read position it then saves) was posted
  // to the main context before this, and runs first.
  asio::post(main_io, [this] { io_pool.stop(); });
}

Daemon::Daemon(config::Config config, CommandLine cli)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(cli))) {}

Daemon::~Daemon() = default;

int Daemon::run() {
  return impl_->run();
}

}  // namespace ccmon::server
