// jemalloc's options for every executable that allocates like the shipped binary
// (linked through the leadhub_allocator target; not in the sanitizer build).
//
// thp:always backs jemalloc's memory with 2 MB transparent huge pages (the kernel's
// THP mode here is `madvise`, so jemalloc asks for them). On the reference machine,
// a VM, the first touch of a 4 KB page costs 14-24 us (bench_page_faults; see
// bench/README.md, "Page faults"), so a 35 MB partner XML file parsed into a DOM
// spent about half its time in page faults: mapping it went from 37-40k to
// 84k records/s, and the 100k import from 0.95 to 0.85 s, for about 35 MB more
// peak RSS in the 1M import (132 -> 167 MB). A MALLOC_CONF environment variable
// still overrides these (MALLOC_CONF=thp:never for the default pages).
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc reads this symbol by name
const char* malloc_conf = "thp:always,metadata_thp:always";
}
