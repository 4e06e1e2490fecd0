#include "server/read_position.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "store/file_ops.hpp"

namespace ccmon::server {

namespace fs = std::filesystem;

std::filesystem::path read_position_path(const fs::path& state_dir, const std::string& source) {
  return state_dir / "adapters" / ("queue_log-" + source + ".pos");
}

namespace {

// The file: a first line `ccmon-pos-v2 DEVICE INODE OFFSET LINE`, then the
// agent memory as one line of JSON:
// {"agents": {"1127": {"queues": ["sales"], "state": 1}}} (state: an
// AgentState, -1 before the first). Version 1 had the first line only.
constexpr std::string_view kMagicV1 = "ccmon-pos-v1";
constexpr std::string_view kMagicV2 = "ccmon-pos-v2";

std::string memory_json(const core::adapters::QueueLogState& memory) {
  nlohmann::json agents = nlohmann::json::object();
  for (const auto& [id, a] : memory.agents) {
    agents[id] = {{"queues", a.queues}, {"state", a.last_state}};
  }
  return nlohmann::json{{"agents", std::move(agents)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool parse_memory(const std::string& text, core::adapters::QueueLogState& memory) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("agents") || !j["agents"].is_object()) {
    return false;
  }
  core::adapters::QueueLogState out;
  for (const auto& [id, a] : j["agents"].items()) {
    if (out.agents.size() >= core::adapters::QueueLogState::kMaxAgents) break;
    if (!a.is_object() || !a.contains("queues") || !a["queues"].is_array() ||
        !a.contains("state") || !a["state"].is_number_integer()) {
      return false;
    }
    core::adapters::QueueLogState::Agent agent;
    agent.last_state = a["state"].get<int>();
    if (agent.last_state < -1 || agent.last_state >= core::kAgentStateCount) return false;
    for (const auto& q : a["queues"]) {
      if (!q.is_string()) return false;
      if (agent.queues.size() < core::adapters::QueueLogState::kMaxQueuesPerAgent) {
        agent.queues.push_back(q.get<std::string>());
      }
    }
    out.agents.emplace(id, std::move(agent));
  }
  memory = std::move(out);
  return true;
}

}  // namespace

std::optional<ReadPosition> load_read_position(const fs::path& file, std::string& error,
                                               core::adapters::QueueLogState& memory) {
  error.clear();
  memory = {};
  std::ifstream in(file);
  if (!in) {
    std::error_code ec;
    if (fs::exists(file, ec)) error = file.string() + ": cannot be read";
    return std::nullopt;
  }
  std::string magic;
  ReadPosition p;
  if (!(in >> magic >> p.device >> p.inode >> p.offset >> p.line) ||
      (magic != kMagicV1 && magic != kMagicV2)) {
    error = file.string() + ": not a read position file";
    return std::nullopt;
  }
  if (magic == kMagicV2) {
    std::string rest;
    std::getline(in, rest);  // the end of the first line
    std::getline(in, rest);
    if (!parse_memory(rest, memory)) {
      error = file.string() + ": its agent memory is not readable";
      return std::nullopt;
    }
  }
  return p;
}

bool save_read_position(const fs::path& file, const ReadPosition& p,
                        const core::adapters::QueueLogState& memory, std::string& error) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) {
    error = file.parent_path().string() + ": " + ec.message();
    return false;
  }
  std::ostringstream text;
  text << kMagicV2 << ' ' << p.device << ' ' << p.inode << ' ' << p.offset << ' ' << p.line << '\n'
       << memory_json(memory) << '\n';
  const fs::path tmp = file.string() + ".tmp";
  store::FileDescriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    error = tmp.string() + ": " + store::error_text(errno);
    return false;
  }
  const auto ops = store::FileOps::system();
  if (const int e = store::write_all(ops, fd.get(), text.str(), 0); e != 0) {
    error = tmp.string() + ": " + store::error_text(e);
    return false;
  }
  if (ops.fdatasync(fd.get()) != 0) {
    error = tmp.string() + ": " + store::error_text(errno);
    return false;
  }
  fd = store::FileDescriptor();
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    error = file.string() + ": " + store::error_text(errno);
    return false;
  }
  store::sync_directory(file.parent_path());
  return true;
}

}  // namespace ccmon::server
