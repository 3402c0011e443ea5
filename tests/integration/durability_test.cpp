// kill -9 in the middle of a stream of writes loses nothing that was acknowledged
// and never leaves the store corrupt.
//
// A forked child opens the store and creates leads from 4 threads through the
// group-commit writer; after each commit it writes the acknowledged id to a pipe.
// The parent kills the child with SIGKILL at a random moment, reopens the store
// and checks every acknowledged lead is there, every record decodes, and the
// status index holds exactly the stored leads. Several rounds on one store.
#define BOOST_TEST_MODULE durability
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "json/record_json.hpp"
#include "store/lead_store.hpp"

namespace fs = std::filesystem;
using namespace leadhub;

namespace {

Lead sample_lead(int n) {
  Lead lead;
  lead.subject = "durability " + std::to_string(n);
  lead.source = LeadSource::import;
  lead.campaign = "kill9";
  lead.prospect.family_name = "Tester";
  lead.prospect.email = "lead" + std::to_string(n) + "@example.com";
  lead.external_refs.push_back({"kill9", std::to_string(getpid()) + "-" + std::to_string(n)});
  return lead;
}

[[noreturn]] void run_writer_child(const std::string& path, int ack_fd) {
  StoreOptions options;
  options.path = path;
  options.map_size = std::size_t{64} << 20;
  options.max_batch = 500;
  auto store = LeadStore::open(options);
  if (!store) _exit(3);
  std::atomic<int> counter{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        const int n = counter.fetch_add(1);
        auto created = (*store)->create_lead({sample_lead(n), Actor{"test", "kill9"}, {}});
        if (!created) _exit(4);
        const std::string line = created->record.id.to_string() + "\n";
        if (write(ack_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
      }
    });
  }
  for (auto& t : threads) t.join();
  _exit(0);
}

// Reads acknowledged ids from the pipe until `wanted` arrived, then kills the child.
std::set<std::string> kill_after(pid_t child, int ack_fd, std::size_t wanted) {
  std::set<std::string> acked;
  std::string pending;
  char buf[4096];
  while (acked.size() < wanted) {
    const ssize_t n = read(ack_fd, buf, sizeof buf);
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t pos = 0;
    while ((pos = pending.find('\n')) != std::string::npos) {
      acked.insert(pending.substr(0, pos));
      pending.erase(0, pos + 1);
    }
  }
  kill(child, SIGKILL);
  // Acks already in the pipe were acknowledged before the kill: count them too.
  for (ssize_t n; (n = read(ack_fd, buf, sizeof buf)) > 0;) pending.append(buf, static_cast<std::size_t>(n));
  std::size_t pos = 0;
  while ((pos = pending.find('\n')) != std::string::npos) {
    acked.insert(pending.substr(0, pos));
    pending.erase(0, pos + 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  BOOST_TEST_REQUIRE(WIFSIGNALED(status));
  BOOST_TEST_REQUIRE(WTERMSIG(status) == SIGKILL);
  return acked;
}

void check_store(const std::string& path, const std::set<std::string>& acked) {
  StoreOptions options;
  options.path = path;
  options.map_size = std::size_t{64} << 20;
  options.max_batch = 500;
  auto store = LeadStore::open(options);
  BOOST_TEST_REQUIRE(store.ok());
  std::size_t missing = 0;
  for (const auto& text : acked) {
    auto id = RecordId::parse(text);
    BOOST_TEST_REQUIRE(id.has_value());
    if (!(*store)->read_lead(*id).ok()) ++missing;
  }
  BOOST_TEST(missing == 0U, "acknowledged leads missing after kill -9: " << missing);

  std::size_t records = 0, undecodable = 0;
  auto st = (*store)->for_each_lead_json([&](std::string_view json) {
    ++records;
    if (!lead_from_json(json, DecodeMode::stored).ok()) ++undecodable;
    return true;
  });
  BOOST_TEST_REQUIRE(st.ok());
  BOOST_TEST(undecodable == 0U);
  auto stats = (*store)->stats();
  BOOST_TEST_REQUIRE(stats.ok());
  std::uint64_t indexed = 0;
  for (const auto& [status, n] : stats->leads_by_status) indexed += n;
  BOOST_TEST(indexed == records, "status index entries " << indexed << " vs records " << records);
  BOOST_TEST(stats->leads == records);
  // Every create writes exactly one "created" audit entry in the same transaction.
  BOOST_TEST(stats->audit_entries == records);
}

}  // namespace

BOOST_AUTO_TEST_CASE(kill_dash_nine_loses_nothing_acknowledged) {
  const fs::path dir = fs::temp_directory_path() / ("leadhub-kill9-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::mt19937 rng(std::random_device{}());
  std::set<std::string> all_acked;
  for (int round = 0; round < 6; ++round) {
    int fds[2];
    BOOST_TEST_REQUIRE(pipe(fds) == 0);
    const pid_t child = fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
      close(fds[0]);
      run_writer_child(dir.string(), fds[1]);
    }
    close(fds[1]);
    const std::size_t wanted = 200 + rng() % 3000;
    auto acked = kill_after(child, fds[0], wanted);
    close(fds[0]);
    BOOST_TEST_MESSAGE("round " << round << ": killed after " << acked.size() << " acknowledged creates");
    BOOST_TEST(acked.size() >= wanted);
    all_acked.insert(acked.begin(), acked.end());
    check_store(dir.string(), all_acked);
  }
  fs::remove_all(dir);
}
