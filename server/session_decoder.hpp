// A session's event decoder (it keeps parser buffers between bodies), rebuilt
// when a reload replaced the configuration: the next body or frame after a
// reload is read with the new channels and limits; ingest.max_event_age is
// off in event-clock mode. Not thread-safe: one per
// session, used on its strand.
#pragma once

#include <memory>
#include <optional>

#include "config/config.hpp"
#include "core/codec/codec.hpp"

namespace ccmon::server {

class SessionDecoder {
 public:
  core::Decoder& for_config(const std::shared_ptr<const config::Config>& config) {
    if (!decoder_ || config != config_) {
      core::CodecOptions options = config->codec;
      // Replaying history is what the event clock is for: no age limit there.
      if (config->clock == config::ClockMode::kEvent) options.max_event_age = 0;
      decoder_.emplace(std::move(options));
      config_ = config;
    }
    return *decoder_;
  }

 private:
  std::shared_ptr<const config::Config> config_;  // what decoder_ was built from
  std::optional<core::Decoder> decoder_;
};

}  // namespace ccmon::server
