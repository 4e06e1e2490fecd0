#include "web/assets.hpp"

#include <algorithm>

#include "web/assets_table.hpp"

namespace ccmon::web {

std::optional<Asset> find_asset(std::string_view path) noexcept {
  if (path == "/") path = "/index.html";
  const auto paths = asset_paths();
  const auto it = std::lower_bound(paths.begin(), paths.end(), path);
  if (it == paths.end() || *it != path) return std::nullopt;
  const detail::EmbeddedFile& file = detail::kFiles[it - paths.begin()];
  return Asset{file.content_type,
               std::string_view(reinterpret_cast<const char*>(file.data), file.size), file.etag};
}

std::span<const std::string_view> asset_paths() noexcept {
  return {detail::kPaths, detail::kFileCount};
}

}  // namespace ccmon::web
