// Transparent huge pages for ccmond's heap (docs/operations.md, "Huge pages
// and snapshots").
//
// Every page the engine thread writes after a snapshot process was forked
// takes a write fault, whether or not the child still lives: fork(2)
// write-protects the parent's pages, and the first write to each afterwards
// faults (a copy while the child maps it, a reuse after). On the benchmark
// machine, a virtual one, each fault with its TLB shoot-down cost the engine
// thread tens of microseconds: over the large center's day its CPU went from
// 7.3 s without a state directory to 10.7 s with one, and to 8.6 s with the
// heap in huge pages (docs/benchmarks.md, "ccmond's heap in huge pages"). A
// heap in 2 MiB pages takes one fault where 4 KiB pages took 512 once the
// child is gone, and far fewer TLB misses meanwhile.
//
// The kernel decides: MADV_HUGEPAGE is honoured when
// /sys/kernel/mm/transparent_hugepage/enabled is `always` or `madvise` (the
// usual default) and ignored under `never`, which is how an operator turns
// huge pages off.
#pragma once

#include <cstddef>
#include <string>

namespace ccmon::server {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

// A private anonymous read-write mapping of at least `bytes` (0 counts as
// 1), its start aligned to the larger of 2 MiB and `alignment` (a power of
// two), its length `actual` a multiple of 2 MiB, advised MADV_HUGEPAGE.
// Returns nullptr (and leaves `actual` alone) when the kernel refuses the
// mapping, the sizes overflow or `alignment` is not a power of two. The huge-page advice is a hint:
// refused, the memory is the same in 4 KiB pages. Thread-safe; give it back with munmap(p, actual).
void* map_huge_page_aligned(std::size_t bytes, std::size_t alignment, std::size_t& actual);

// map_huge_page_aligned for the heap: the mapping is also remembered for
// collapse_heap() (the first 16,384 of them; later ones are mapped the same
// but never collapsed). Called by the heap's allocator, one call at a time
// (under its lock); allocates nothing.
void* map_heap_huge_pages(std::size_t bytes, std::size_t alignment, std::size_t& actual);

// Puts the heap's mappings back into huge pages (MADV_COLLAPSE, Linux 6.1):
// a fork splits each huge page the parent writes while the child lives, and
// every page stays write-protected in 4 KiB pieces after the child is gone.
// Call after a snapshot process exited. Collapses only the 2 MiB pieces
// whose pages are all in memory (mincore(2)): one with a hole holds memory
// the allocator gave back or never touched, and a collapse would fill it.
// Nothing when /sys/kernel/mm/transparent_hugepage/enabled is `never` or
// absent, read at each call (MADV_COLLAPSE itself ignores it). Returns the
// bytes collapsed or already in huge pages (a refusal, on an older kernel or
// with no huge page free, counts nothing). Thread-safe against the
// allocator. Costs a copy of each split huge page, and while the kernel
// copies one it holds the process's memory-map lock: page faults of every
// thread wait meanwhile (docs/operations.md, "Huge pages and snapshots").
std::size_t collapse_heap();

// Makes the malloc that ccmond is linked with grow its heap with
// map_huge_page_aligned, where that malloc allows it (TCMalloc's pluggable
// system allocator; CCMON_ALLOCATOR in CMakeLists.txt). Call once, early
// in main. Returns what was done, for the start-up log: one line.
std::string use_huge_pages_for_heap();

}  // namespace ccmon::server
