// A growable array in fixed chunks of 2^kChunkBits elements: appending never
// moves what is stored, so growing costs one chunk's allocation instead of a
// copy of every element into a table twice the size (a std::vector of
// 262,144 contact records copied 48 MB into 96 MB of fresh memory at once,
// a stall of the engine thread of up to 46 ms on the benchmark machine:
// docs/kpis.md, "Tables that grow in steps"). Elements keep their addresses.
//
// Indexing is a shift, a mask and one load from the table of chunk pointers
// (8 bytes a chunk: 16 KiB at 2 M elements, mostly cached).
// Boost.Container's deque would serve too, but its 1.81 indexing divides
// by a block size read at run time: this sits on the engine's hottest path
// (every record lookup), so it stays ours.
//
// Not thread-safe; the owner's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "core/engine/assert.hpp"

namespace ccmon::core::engine_detail {

template <typename T, unsigned kChunkBits = 10>
class ChunkedVector {
 public:
  static constexpr std::size_t kChunk = std::size_t{1} << kChunkBits;

  ChunkedVector() = default;
  ChunkedVector(ChunkedVector&& o) noexcept : chunks_(std::move(o.chunks_)), size_(o.size_) {
    o.size_ = 0;
  }
  ChunkedVector& operator=(ChunkedVector&& o) noexcept {
    if (this != &o) {
      clear();
      chunks_ = std::move(o.chunks_);
      size_ = o.size_;
      o.size_ = 0;
    }
    return *this;
  }
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;
  ~ChunkedVector() { clear(); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  T& operator[](std::size_t i) {
    CCMON_ASSERT(i < size_);
    return chunks_[i >> kChunkBits].get()[i & (kChunk - 1)];
  }
  const T& operator[](std::size_t i) const {
    CCMON_ASSERT(i < size_);
    return chunks_[i >> kChunkBits].get()[i & (kChunk - 1)];
  }

  // Appends a value-initialised element; a new chunk when the last is full.
  T& emplace_back() {
    if ((size_ >> kChunkBits) == chunks_.size()) {  // the last chunk is full (clear() frees all)
      std::unique_ptr<T, Free> chunk(std::allocator<T>().allocate(kChunk));
      chunks_.push_back(std::move(chunk));
    }
    T* p = ::new (&chunks_[size_ >> kChunkBits].get()[size_ & (kChunk - 1)]) T();
    ++size_;
    return *p;
  }

  // Grows to n elements (value-initialised); never shrinks.
  void grow_to(std::size_t n) {
    while (size_ < n) emplace_back();
  }

  // Destroys every element and frees every chunk.
  void clear() {
    for (std::size_t i = size_; i > 0; --i) (*this)[i - 1].~T();
    size_ = 0;
    chunks_.clear();
  }

  // Forward iteration in index order (range-for).
  template <bool Const>
  class Iter {
   public:
    using Owner = std::conditional_t<Const, const ChunkedVector, ChunkedVector>;
    Iter(Owner* v, std::size_t i) : v_(v), i_(i) {}
    auto& operator*() const { return (*v_)[i_]; }
    Iter& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iter& o) const { return i_ != o.i_; }

   private:
    Owner* v_;
    std::size_t i_;
  };
  Iter<false> begin() { return {this, 0}; }
  Iter<false> end() { return {this, size_}; }
  Iter<true> begin() const { return {this, 0}; }
  Iter<true> end() const { return {this, size_}; }

 private:
  struct Free {
    void operator()(T* p) const { std::allocator<T>().deallocate(p, kChunk); }
  };
  std::vector<std::unique_ptr<T, Free>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace ccmon::core::engine_detail
