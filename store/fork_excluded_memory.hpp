// Memory that a forked snapshot process does not inherit.
//
// While a snapshot child lives (store/snapshot_child.hpp), each page the
// daemon writes that the child also maps is copied first: a page fault, a
// 4 KiB copy and a TLB shoot-down on the other cores, about 21 µs a page on
// the benchmark machine (docs/benchmarks.md, "Durable state: where the 50 %
// goes"). A table the child never reads need not be shared at all: the
// duplicate-id memory's slot table is allocated here (the state image holds
// that memory's FIFO, from which the table is rebuilt, never the table).
//
// Each allocation is an anonymous mapping of whole pages marked
// MADV_DONTFORK (madvise(2)): a child has no such mapping (reading that
// address there is undefined: a fault, or whatever the child mapped there
// since), and the parent's pages stay writable without a copy. Meant for a
// few large, long-lived blocks: a small one still takes a page. Being a fresh
// anonymous mapping, each allocation reads as zeros until written. The mapping
// also asks for transparent huge pages (MADV_HUGEPAGE, honoured when
// /sys/kernel/mm/transparent_hugepage/enabled is `always` or `madvise`): the
// duplicate-id table is probed at random, and with 4 KiB pages nearly every
// probe of its 32 MiB missed the TLB (its probes were 11 % of the engine
// thread on the large center's day, docs/benchmarks.md). Thread-safe
// (mmap and munmap are). An allocation the kernel refuses throws
// std::bad_alloc.
#pragma once

#include <memory_resource>

namespace ccmon::store {

// The one instance; never destroyed, so it outlives every container using it.
std::pmr::memory_resource* fork_excluded_memory();

}  // namespace ccmon::store
