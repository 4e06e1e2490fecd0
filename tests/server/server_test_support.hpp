// Test doubles for the server unit tests: an engine that answers at once, a
// responder that records, and reading a sample back from the registry.
#pragma once

#include <prometheus/registry.h>

#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/codec/codec.hpp"
#include "server/engine_service.hpp"
#include "server/router.hpp"

namespace ccmon::server::test {

inline constexpr core::Timestamp kNow = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z, µs

// The batch of an NDJSON body of valid events, arrived at kNow.
inline Batch batch_of(const config::Config& config, const std::string& ndjson) {
  core::Decoder decoder(config.codec);
  auto decoded = decoder.decode(ndjson, core::BodyFormat::kNdjson, kNow);
  REQUIRE(decoded.rejections.empty());
  const std::size_t admitted = decoded.events.size();
  return Batch{Transport::kHttp, std::move(decoded.events), kNow, admitted};
}

// The value of the sample `name{labels}` in `registry`, nullopt when absent.
inline std::optional<double> sample(prometheus::Registry& registry, const std::string& name,
                                    const std::map<std::string, std::string>& labels = {}) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      std::map<std::string, std::string> have;
      for (const auto& l : m.label) have[l.name] = l.value;
      if (have != labels) continue;
      switch (family.type) {
        case prometheus::MetricType::Counter:
          return m.counter.value;
        case prometheus::MetricType::Gauge:
          return m.gauge.value;
        default:
          return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

// Applies every batch at once: accepted = its event count; records batches.
class FakeEngine final : public EngineService {
 public:
  explicit FakeEngine(std::size_t in_flight_limit = 1000) : admission_(in_flight_limit) {}

  Admission& admission() override { return admission_; }
  core::Timestamp wall_now() const override { return now; }
  void submit(Batch batch, std::function<void(BatchResult)> done) override {
    BatchResult result{batch.events.size(), 0};
    admission_.release(batch.admitted);
    batches.push_back(std::move(batch));
    done(result);
  }
  void request_view(std::function<void(std::shared_ptr<const View>)> done) override {
    auto view = std::make_shared<View>();
    auto snapshot = std::make_shared<core::Snapshot>();
    snapshot->now = now;
    snapshot->windows = {"5m", "15m"};
    view->snapshot = std::move(snapshot);
    done(view);
  }

  void end_parts() override { ++ended_parts; }

  core::Timestamp now = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z, in microseconds
  std::vector<Batch> batches;
  int ended_parts = 0;  // end_parts() calls

 private:
  Admission admission_;
};

// Records what the router sends; resumed work waits until run_resumed(), as
// it would wait for the session's strand.
class Recorder final : public Responder {
 public:
  void respond(Response res) override { responses.push_back(std::move(res)); }
  void resume(std::function<void()> work) override { resumed.push_back(std::move(work)); }
  void run_resumed() {
    auto work = std::move(resumed);
    resumed.clear();
    for (auto& w : work) w();
  }

  std::vector<Response> responses;
  std::vector<std::function<void()>> resumed;
};

inline std::shared_ptr<const config::Config> config_from(const std::string& yaml) {
  auto loaded = config::load_config_string(yaml, "test.yml");
  if (!loaded.config) throw std::runtime_error(config::to_string(loaded.errors.at(0)));
  return std::make_shared<const config::Config>(std::move(*loaded.config));
}

}  // namespace ccmon::server::test
