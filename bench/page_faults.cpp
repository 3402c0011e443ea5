// bench_page_faults: what touching a new page costs on this machine. Not a leadhub
// figure but a property of the host that the others depend on: on the reference
// machine (a VM) the first touch of a 4 KB page costs several microseconds, tens of
// times a bare-metal page fault, so whatever maps fresh memory or drops mapped pages
// (a DOM of a large XML file, LMDB's map after a trim) pays for it.
//
//   bench_page_faults [--mb 128]
//
// Prints, per 4 KB page touched once (one byte written or read per page):
//   anonymous 4K      fresh private anonymous memory, the kernel's default pages
//   anonymous THP     the same after madvise(MADV_HUGEPAGE), as jemalloc asks with
//                     thp:always (app/jemalloc_conf.cpp)
//   file, mapped      pages of a file already in the page cache, mapped read-only
//                     (what LMDB's map does); FILE is created in the current folder
//                     and removed
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr std::size_t kPage = 4096;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Microseconds per page to touch `bytes` of a fresh anonymous mapping.
double anonymous(std::size_t bytes, bool huge) {
  void* map = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) return -1;
  if (huge) ::madvise(map, bytes, MADV_HUGEPAGE);
  auto* p = static_cast<volatile char*>(map);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < bytes; i += kPage) p[i] = 1;
  const double s = seconds_since(start);
  ::munmap(map, bytes);
  return s * 1e6 / static_cast<double>(bytes / kPage);
}

// Microseconds per page to read `bytes` of a cached file through a shared mapping.
double file_mapped(std::size_t bytes) {
  const std::string path = "bench_page_faults.tmp";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return -1;
  ::unlink(path.c_str());  // gone when closed
  const std::vector<char> block(1 << 20, 'x');
  for (std::size_t done = 0; done < bytes; done += block.size()) {
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
      ::close(fd);
      return -1;
    }
  }
  void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    ::close(fd);
    return -1;
  }
  const auto* p = static_cast<const volatile char*>(map);
  unsigned sum = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < bytes; i += kPage) sum += static_cast<unsigned>(p[i]);
  const double s = seconds_since(start);
  ::munmap(map, bytes);
  ::close(fd);
  return sum == 0 ? -1 : s * 1e6 / static_cast<double>(bytes / kPage);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mb = 128;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--mb") == 0) mb = std::strtoul(argv[i + 1], nullptr, 10);
  }
  if (mb == 0) mb = 128;
  const std::size_t bytes = mb << 20;
  // The first run of each warms what the kernel caches (huge page pool, page cache).
  double anon = 0, huge = 0, file = 0;
  for (int round = 0; round < 2; ++round) {
    anon = anonymous(bytes, false);
    huge = anonymous(bytes, true);
    file = file_mapped(bytes);
  }
  std::printf("page touch, %zu MB each (us per 4 KB page): anonymous 4K %.2f, anonymous THP %.2f, file mapped %.2f\n",
              mb, anon, huge, file);
  std::printf("RESULT page_fault_anon_us %.2f\nRESULT page_fault_thp_us %.2f\nRESULT page_fault_file_us %.2f\n", anon,
              huge, file);
  return anon < 0 || huge < 0 || file < 0 ? 1 : 0;
}
