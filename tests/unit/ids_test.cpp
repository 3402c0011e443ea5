// model/ids: RecordId text and key forms, IdGenerator ordering and uniqueness.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "model/ids.hpp"
#include "test_support.hpp"

using namespace leadhub;
using leadhub::test::ts;

BOOST_AUTO_TEST_SUITE(record_id)

BOOST_AUTO_TEST_CASE(text_round_trip) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10'000; ++i) {
    const RecordId id(rng() | 1);  // never 0
    const std::string text = id.to_string();
    BOOST_TEST_CONTEXT(id.raw() << " -> " << text) {
      BOOST_TEST(text.size() == 13u);
      const auto back = RecordId::parse(text);
      BOOST_TEST_REQUIRE(back.has_value());
      BOOST_TEST(back->raw() == id.raw());
    }
  }
}

BOOST_AUTO_TEST_CASE(text_extremes) {
  BOOST_TEST(RecordId(1).to_string() == "0000000000001");
  BOOST_TEST(RecordId(31).to_string() == "000000000000Z");
  BOOST_TEST(RecordId(32).to_string() == "0000000000010");
  BOOST_TEST(RecordId(UINT64_MAX).to_string() == "FZZZZZZZZZZZZ");
  BOOST_TEST(RecordId::parse("FZZZZZZZZZZZZ")->raw() == UINT64_MAX);
  const auto example = RecordId::parse("0F3KXW2R1C000");
  BOOST_TEST_REQUIRE(example.has_value());
  BOOST_TEST(example->to_string() == "0F3KXW2R1C000");
}

BOOST_AUTO_TEST_CASE(parse_is_lenient_like_crockford) {
  const auto canonical = RecordId::parse("0F3KXW2R1C000");
  BOOST_TEST_REQUIRE(canonical.has_value());
  BOOST_TEST(RecordId::parse("0f3kxw2r1c000")->raw() == canonical->raw());  // lower case
  BOOST_TEST(RecordId::parse("OF3KXW2R1COOO")->raw() == canonical->raw());  // O reads as 0
  BOOST_TEST(RecordId::parse("000000000000I")->raw() == 1u);
  BOOST_TEST(RecordId::parse("000000000000l")->raw() == 1u);
}

BOOST_AUTO_TEST_CASE(parse_refuses_bad_text) {
  for (const char* bad : {"", "0", "000000000001", "00000000000001", "0000000000000",  // length; zero is "no id"
                          "G000000000000", "Z000000000000",  // first character carries only 4 bits
                          "000000000000U", "00000000000-1", "0000000000 01", "0F3KXW2R1C00!"}) {
    BOOST_TEST_CONTEXT("\"" << bad << "\"") { BOOST_TEST(!RecordId::parse(bad).has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(text_order_equals_numeric_order) {
  std::mt19937_64 rng(11);
  std::vector<RecordId> ids;
  for (int i = 0; i < 2000; ++i) {
    // Mix full-range values with close neighbours so equal prefixes occur.
    const std::uint64_t base = rng();
    ids.emplace_back(base | 1);
    ids.emplace_back((base | 1) + (rng() % 70));
    ids.emplace_back(rng() >> (rng() % 64) | 1);
  }
  for (std::size_t i = 0; i + 1 < ids.size(); ++i) {
    const RecordId a = ids[i], b = ids[i + 1];
    BOOST_TEST_CONTEXT(a.to_string() << " vs " << b.to_string()) {
      BOOST_TEST((a < b) == (a.to_string() < b.to_string()));
      BOOST_TEST((a == b) == (a.to_string() == b.to_string()));
    }
  }
  auto by_number = ids;
  auto by_text = ids;
  std::sort(by_number.begin(), by_number.end());
  std::sort(by_text.begin(), by_text.end(), [](RecordId a, RecordId b) { return a.to_string() < b.to_string(); });
  BOOST_TEST((by_number == by_text));
}

BOOST_AUTO_TEST_CASE(key_bytes_round_trip_and_order) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    const RecordId a(rng()), b(rng() >> (rng() % 64));
    unsigned char ka[8], kb[8];
    a.to_key(ka);
    b.to_key(kb);
    BOOST_TEST(RecordId::from_key(ka).raw() == a.raw());
    BOOST_TEST(RecordId::from_key(kb).raw() == b.raw());
    const int cmp = std::memcmp(ka, kb, 8);
    BOOST_TEST((cmp < 0) == (a < b));
    BOOST_TEST((cmp == 0) == (a == b));
  }
  unsigned char k[8];
  RecordId(0x0102030405060708ULL).to_key(k);
  const unsigned char expected[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  BOOST_TEST(std::memcmp(k, expected, 8) == 0);  // big-endian
}

BOOST_AUTO_TEST_CASE(fields_of_the_layout) {
  const TimeMs t = ts("2026-11-22T19:40:13.123Z");
  const std::uint64_t ms = static_cast<std::uint64_t>(t - RecordId::kEpochMs);
  const std::uint64_t raw = (ms << 22) | (4095ULL << 10) | 1023ULL;
  const RecordId id(raw);
  BOOST_TEST(id.time_ms() == t);
  BOOST_TEST(id.partition() == 1023u);
  BOOST_TEST(!id.empty());
  BOOST_TEST(RecordId().empty());
  BOOST_TEST(RecordId::kEpochMs == ts("2024-01-01T00:00:00Z"));
  // partition and time survive the text form
  const auto back = RecordId::parse(id.to_string());
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(back->partition() == 1023u);
  BOOST_TEST(back->time_ms() == t);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(id_generator)

BOOST_AUTO_TEST_CASE(first_id_carries_clock_and_partition) {
  const TimeMs t = ts("2026-03-01T10:00:00Z");
  ManualClock clock(t);
  IdGenerator gen(clock, 517);
  const RecordId a = gen.next();
  BOOST_TEST(a.time_ms() == t);
  BOOST_TEST(a.partition() == 517u);
  BOOST_TEST(((a.raw() >> 10) & 4095u) == 0u);  // sequence starts at 0
  const RecordId b = gen.next();
  BOOST_TEST(b > a);
  BOOST_TEST(b.partition() == 517u);
  BOOST_TEST(b.time_ms() == t);
  BOOST_TEST(((b.raw() >> 10) & 4095u) == 1u);
  const auto parsed = RecordId::parse(b.to_string());
  BOOST_TEST_REQUIRE(parsed.has_value());
  BOOST_TEST(parsed->partition() == 517u);
}

BOOST_AUTO_TEST_CASE(borrows_next_millisecond_after_4096_ids) {
  const TimeMs t = ts("2026-03-01T10:00:00Z");
  ManualClock clock(t);
  IdGenerator gen(clock, 3);
  std::vector<RecordId> ids;
  for (int i = 0; i < 4096 * 3 + 5; ++i) ids.push_back(gen.next());
  BOOST_TEST(ids[4095].time_ms() == t);
  BOOST_TEST(ids[4096].time_ms() == t + 1);
  BOOST_TEST(ids[8192].time_ms() == t + 2);
  BOOST_TEST(ids.back().time_ms() == t + 3);
  for (std::size_t i = 1; i < ids.size(); ++i) {
    if (!(ids[i] > ids[i - 1]) || ids[i].partition() != 3u) {
      BOOST_TEST_REQUIRE(ids[i] > ids[i - 1]);
      BOOST_TEST_REQUIRE(ids[i].partition() == 3u);
    }
  }
  // once the real clock passes the borrowed time, ids follow the clock again
  clock.advance_ms(10);
  const RecordId later = gen.next();
  BOOST_TEST(later.time_ms() == t + 10);
  BOOST_TEST(((later.raw() >> 10) & 4095u) == 0u);
}

BOOST_AUTO_TEST_CASE(clock_stepping_back_never_reorders) {
  const TimeMs t = ts("2026-03-01T10:00:00Z");
  ManualClock clock(t);
  IdGenerator gen(clock, 0);
  const RecordId a = gen.next();
  clock.set_ms(t - 60'000);
  const RecordId b = gen.next();
  const RecordId c = gen.next();
  BOOST_TEST(b > a);
  BOOST_TEST(c > b);
  BOOST_TEST(b.time_ms() == t);
}

BOOST_AUTO_TEST_CASE(strictly_increasing_under_8_threads_with_a_frozen_clock) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10'000;
  const TimeMs t = ts("2026-03-01T10:00:00Z");
  ManualClock clock(t);  // never moves: every id beyond 4096 borrows
  IdGenerator gen(clock, 42);
  std::vector<std::vector<RecordId>> per_thread(kThreads);
  {
    std::vector<std::thread> threads;
    for (int k = 0; k < kThreads; ++k) {
      threads.emplace_back([&gen, &out = per_thread[static_cast<std::size_t>(k)]] {
        out.reserve(kPerThread);
        for (int i = 0; i < kPerThread; ++i) out.push_back(gen.next());
      });
    }
    for (auto& th : threads) th.join();
  }
  std::vector<RecordId> all;
  for (const auto& ids : per_thread) {
    BOOST_TEST_REQUIRE(ids.size() == static_cast<std::size_t>(kPerThread));
    std::size_t bad_order = 0;
    for (std::size_t i = 1; i < ids.size(); ++i) bad_order += ids[i] > ids[i - 1] ? 0 : 1;
    BOOST_TEST(bad_order == 0u);  // each thread sees its own ids strictly increasing
    all.insert(all.end(), ids.begin(), ids.end());
  }
  std::sort(all.begin(), all.end());
  BOOST_TEST((std::adjacent_find(all.begin(), all.end()) == all.end()));  // unique
  BOOST_TEST(std::all_of(all.begin(), all.end(), [](RecordId id) { return id.partition() == 42u; }));
  // No gaps: the 80,000 ids are consecutive sequence steps from the clock's millisecond.
  BOOST_TEST(all.front().time_ms() == t);
  BOOST_TEST(all.back().raw() - all.front().raw() == static_cast<std::uint64_t>(kThreads * kPerThread - 1) << 10);
  BOOST_TEST(all.back().time_ms() == t + (kThreads * kPerThread - 1) / 4096);
}

BOOST_AUTO_TEST_CASE(observe_moves_the_floor) {
  const TimeMs t = ts("2026-03-01T10:00:00Z");
  ManualClock clock(t);
  IdGenerator gen(clock, 7);
  const RecordId stored((static_cast<std::uint64_t>(t + 5'000 - RecordId::kEpochMs) << 22) | (9ULL << 10) | 7ULL);
  gen.observe(stored);
  const RecordId next = gen.next();
  BOOST_TEST(next > stored);
  BOOST_TEST(next.partition() == 7u);
  BOOST_TEST(next.time_ms() == t + 5'000);

  // an older id does not move it back
  gen.observe(RecordId((static_cast<std::uint64_t>(t - RecordId::kEpochMs) << 22) | 7ULL));
  const RecordId after_old = gen.next();
  BOOST_TEST(after_old > next);
}

BOOST_AUTO_TEST_CASE(observe_an_id_of_another_partition) {
  const TimeMs t = ts("2026-03-01T10:00:00Z");
  ManualClock clock(t);
  for (std::uint32_t theirs : {0u, 5u, 1023u}) {
    IdGenerator gen(clock, 5);
    const RecordId stored((static_cast<std::uint64_t>(t + 100 - RecordId::kEpochMs) << 22) | (17ULL << 10) | theirs);
    gen.observe(stored);
    const RecordId next = gen.next();
    BOOST_TEST_CONTEXT("their partition " << theirs) {
      BOOST_TEST(next > stored);
      BOOST_TEST(next.partition() == 5u);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
