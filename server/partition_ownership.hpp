// What the Kafka source owns with partition-owned state (docs/kafka.md,
// "Partition-owned state"): the partitions assigned to this instance and
// those still being restored, for /-/ready. Thread-safe: the source writes,
// request threads read.
#pragma once

#include <mutex>
#include <set>
#include <string>

namespace ccmon::server {

class PartitionOwnership {
 public:
  void restoring(const std::string& key) {
    std::lock_guard lock(mutex_);
    restoring_.insert(key);
  }
  void owned(const std::string& key) {
    std::lock_guard lock(mutex_);
    restoring_.erase(key);
    owned_.insert(key);
  }
  void disowned(const std::string& key) {
    std::lock_guard lock(mutex_);
    restoring_.erase(key);
    owned_.erase(key);
  }
  // "" when partition-owned state is off (never used), else two lines:
  // "kafka partitions owned: t/0 t/3" and "kafka partitions restoring: t/5"
  // ("none" for an empty list).
  std::string describe() const {
    std::lock_guard lock(mutex_);
    if (!used_) return "";
    auto list = [](const std::set<std::string>& s) {
      if (s.empty()) return std::string("none");
      std::string out;
      for (const auto& k : s) out += (out.empty() ? "" : " ") + k;
      return out;
    };
    return "kafka partitions owned: " + list(owned_) +
           "\nkafka partitions restoring: " + list(restoring_) + "\n";
  }
  void use() {
    std::lock_guard lock(mutex_);
    used_ = true;
  }

 private:
  mutable std::mutex mutex_;
  bool used_ = false;
  std::set<std::string> owned_, restoring_;  // bounded by the topics' partitions
};

}  // namespace ccmon::server
