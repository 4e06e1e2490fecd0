#include "server/parted_body.hpp"

#include <utility>

namespace ccmon::server {

void PartedBody::add_part(const core::DecodedBatch& part, bool submitted) {
  const std::lock_guard lock(mutex_);
  for (const core::Rejection& r : part.rejections) {
    if (rejections_.rejections.size() >= max_listed_) break;
    rejections_.rejections.push_back(r);
  }
  rejections_.rejected += part.rejected;
  for (std::size_t i = 0; i < rejections_.rejected_by_reason.size(); ++i) {
    rejections_.rejected_by_reason[i] += part.rejected_by_reason[i];
  }
  if (submitted) ++pending_;
}

void PartedBody::applied(const BatchResult& result) {
  std::unique_lock lock(mutex_);
  result_.accepted += result.accepted;
  result_.duplicates += result.duplicates;
  result_.state_unavailable = result_.state_unavailable || result.state_unavailable;
  result_.internal_error = result_.internal_error || result.internal_error;
  finish_one(std::move(lock));
}

void PartedBody::sealed() {
  finish_one(std::unique_lock(mutex_));
}

void PartedBody::finish_one(std::unique_lock<std::mutex> lock) {
  if (--pending_ != 0) return;
  lock.unlock();  // nothing changes any more: the answer runs unlocked
  answer_(result_, rejections_);
}

}  // namespace ccmon::server
