// A session's event decoder (it keeps parser buffers between bodies), rebuilt
// when a reload replaced the configuration: the next body or frame after a
// reload is read with the new channels and limits. Not thread-safe: one per
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
      decoder_.emplace(config->codec);
      config_ = config;
    }
    return *decoder_;
  }

 private:
  std::shared_ptr<const config::Config> config_;  // what decoder_ was built from
  std::optional<core::Decoder> decoder_;
};

}  // namespace ccmon::server
