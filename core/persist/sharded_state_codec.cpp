#include "core/persist/sharded_state_codec.hpp"

#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ccmon::core::persist {

namespace {

// Before queue placements were kept (queues hashed), and since.
constexpr char kHashedMagic[8] = {'C', 'C', 'M', 'O', 'N', 'S', 'H', 'D'};
constexpr char kShardMagic[8] = {'C', 'C', 'M', 'O', 'N', 'S', 'H', '2'};
constexpr std::uint8_t kPlacedInOrder = 0, kPlacedByHash = 1;

template <typename T>
void put(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof v; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

template <typename T>
T take(std::string_view& in, const char* what) {
  if (in.size() < sizeof(T)) throw FormatError(std::string("sharded state: truncated ") + what);
  T v = 0;
  for (std::size_t i = 0; i < sizeof v; ++i) {
    v = static_cast<T>(v | static_cast<T>(static_cast<unsigned char>(in[i])) << (8 * i));
  }
  in.remove_prefix(sizeof v);
  return v;
}

bool starts_with(std::string_view bytes, const char (&magic)[8]) {
  return bytes.size() >= sizeof magic && std::memcmp(bytes.data(), magic, sizeof magic) == 0;
}

void put_placement(std::string& out, const QueuePlacement& queues) {
  out.push_back(static_cast<char>(queues.hashed() ? kPlacedByHash : kPlacedInOrder));
  put(out, static_cast<std::uint32_t>(queues.order().size()));
  for (const std::string& q : queues.order()) {
    put(out, static_cast<std::uint32_t>(q.size()));
    out.append(q);
  }
}

QueuePlacement take_placement(std::string_view& in, std::uint32_t shards, const HashKey& key) {
  const auto kind = take<std::uint8_t>(in, "queue placement");
  const auto count = take<std::uint32_t>(in, "queue placement");
  if (kind == kPlacedByHash) {
    if (count != 0) throw FormatError("sharded state: queues listed with hashed placement");
    return QueuePlacement::hashed(shards, key);
  }
  if (kind != kPlacedInOrder) throw FormatError("sharded state: unknown queue placement kind");
  // Each name takes at least its length's 4 bytes: nothing is reserved
  // beyond what the input can hold.
  if (count > QueuePlacement::kMaxPlaced || count > in.size() / 4) {
    throw FormatError("sharded state: more placed queues than the image holds or ccmon keeps");
  }
  std::vector<std::string> order;
  order.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto length = take<std::uint32_t>(in, "queue name length");
    if (length > in.size()) throw FormatError("sharded state: truncated queue name");
    order.emplace_back(in.substr(0, length));
    in.remove_prefix(length);
  }
  try {
    return QueuePlacement::restored(shards, key, std::move(order));
  } catch (const std::invalid_argument& e) {
    throw FormatError(std::string("sharded state: ") + e.what());
  }
}

}  // namespace

std::uint32_t shard_count_of(std::string_view image) {
  constexpr char kPlainMagic[8] = {'C', 'C', 'M', 'O', 'N', 'S', 'T', 'A'};  // encode_state's
  if (starts_with(image, kPlainMagic)) return 1;
  if (!starts_with(image, kShardMagic) && !starts_with(image, kHashedMagic)) {
    throw FormatError("sharded state: neither a state image nor a sharded one (bad magic)");
  }
  image.remove_prefix(sizeof kShardMagic);
  return take<std::uint32_t>(image, "shard count");
}

void encode_sharded_state(const ShardedEngine& engine, const Deduplicator& dedup,
                          const SlaEvaluator& sla, std::string_view extra, const ImageSink& sink) {
  const std::uint32_t n = engine.shard_count();
  if (n == 1) return encode_state(engine.shard(0), dedup, sla, extra, sink);
  // Each shard's length comes before its image: the images are made whole.
  std::string head(kShardMagic, sizeof kShardMagic);
  put(head, n);
  put_placement(head, engine.queues());
  sink(head);
  const Deduplicator no_ids(dedup.options());
  const SlaEvaluator no_rules({});
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::string image = i == 0 ? encode_state(engine.shard(0), dedup, sla, extra)
                                     : encode_state(engine.shard(i), no_ids, no_rules, {});
    std::string length;
    put(length, static_cast<std::uint64_t>(image.size()));
    sink(length);
    sink(image);
  }
}

std::string encode_sharded_state(const ShardedEngine& engine, const Deduplicator& dedup,
                                 const SlaEvaluator& sla, std::string_view extra) {
  std::string out;
  encode_sharded_state(engine, dedup, sla, extra,
                       [&out](std::string_view bytes) { out.append(bytes); });
  return out;
}

std::string decode_sharded_state(std::string_view bytes, ShardedEngine& engine, Deduplicator& dedup,
                                 SlaEvaluator& sla) {
  const std::uint32_t n = engine.shard_count();
  const bool placed = starts_with(bytes, kShardMagic);
  const bool sharded = placed || starts_with(bytes, kHashedMagic);
  std::uint32_t written = 1;
  if (sharded) {
    bytes.remove_prefix(sizeof kShardMagic);
    written = take<std::uint32_t>(bytes, "shard count");
  }
  if (written != n) {
    ShardCountError e("the state was written by " + std::to_string(written) +
                      " engine shard(s) and state.shards is " + std::to_string(n) +
                      ": start with state.shards: " + std::to_string(written) +
                      ", or empty the directory with ccmond --reset-state "
                      "(docs/configuration.md, \"Engine shards\")");
    e.written = written;
    e.configured = n;
    throw e;
  }
  // One shard places nothing; a container from before placements were
  // kept had every queue where the hash of its name puts it.
  QueuePlacement queues = placed    ? take_placement(bytes, n, engine.hash_key())
                          : sharded ? QueuePlacement::hashed(n, engine.hash_key())
                                    : QueuePlacement(n, engine.hash_key());
  std::vector<std::string_view> images;
  if (!sharded) {
    images.push_back(bytes);
  } else {
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto length = take<std::uint64_t>(bytes, "shard length");
      if (length > bytes.size()) throw FormatError("sharded state: truncated shard image");
      images.push_back(bytes.substr(0, static_cast<std::size_t>(length)));
      bytes.remove_prefix(static_cast<std::size_t>(length));
    }
    if (!bytes.empty()) throw FormatError("sharded state: trailing bytes after the last shard");
  }
  // Decoded into fresh engines, the first shard (with the memory and the
  // evaluator, which decode_state changes all or nothing) last: on any
  // exception nothing changed.
  ShardedEngine fresh(engine.config(), n, engine.hash_key());
  for (std::uint32_t i = 1; i < n; ++i) {
    Deduplicator no_ids(dedup.options(), dedup.hash_key());
    SlaEvaluator no_rules({});
    decode_state(images[i], fresh.shard(i), no_ids, no_rules);
  }
  std::string extra = decode_state(images[0], fresh.shard(0), dedup, sla);
  fresh.restore_queues(std::move(queues));
  fresh.restore_routes();
  engine = std::move(fresh);
  return extra;
}

}  // namespace ccmon::core::persist
