// model/lifecycle: the transition table, qualification promotion, locking of
// converted leads, reopening, and the initial status of new leads.
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <string>

#include "model/lifecycle.hpp"
#include "model/validation.hpp"
#include "test_support.hpp"

using namespace leadhub;
using leadhub::test::describe;
using leadhub::test::fails_with;
using leadhub::test::has_error;
using leadhub::test::has_error_containing;
using leadhub::test::is_ok;
using leadhub::test::minimal_lead;

namespace {

using S = LeadStatus;
constexpr S kAll[] = {S::open, S::in_process, S::qualified, S::accepted, S::converted, S::declined, S::closed};

// The lifecycle of lifecycle.hpp, written out pair by pair (besides staying put).
const std::set<std::pair<S, S>>& allowed_moves() {
  static const std::set<std::pair<S, S>> moves = {
      {S::open, S::in_process},     {S::open, S::qualified},      {S::open, S::declined},
      {S::open, S::closed},         {S::in_process, S::open},     {S::in_process, S::qualified},
      {S::in_process, S::declined}, {S::in_process, S::closed},   {S::qualified, S::in_process},
      {S::qualified, S::accepted},  {S::qualified, S::converted}, {S::qualified, S::declined},
      {S::qualified, S::closed},    {S::accepted, S::qualified},  {S::accepted, S::converted},
      {S::accepted, S::declined},   {S::accepted, S::closed},     {S::declined, S::open},
      {S::closed, S::open},
  };
  return moves;
}

Lead lead_in(S status) {
  Lead l = minimal_lead();
  l.id = RecordId(0x1234567ULL << 22);
  l.status = status;
  if (status == S::declined || status == S::closed) l.reason = "no budget";
  l.status_changed_at = 1000;
  return l;
}

constexpr TimeMs kNow = 1'800'000'000'000;

}  // namespace

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(transition_table) {
  int allowed = 0;
  for (S from : kAll) {
    for (S to : kAll) {
      const bool expected = from == to || allowed_moves().count({from, to}) == 1;
      BOOST_TEST_CONTEXT(to_string(from) << " -> " << to_string(to)) {
        BOOST_TEST(is_transition_allowed(from, to) == expected);
      }
      allowed += is_transition_allowed(from, to) && from != to ? 1 : 0;
    }
  }
  BOOST_TEST(allowed == 19);
}

BOOST_AUTO_TEST_CASE(apply_lifecycle_follows_the_table_and_names_from_and_to) {
  for (S from : kAll) {
    if (from == S::converted) continue;  // locked, below
    for (S to : kAll) {
      if (from == to) continue;
      const Lead before = lead_in(from);
      Lead after = before;
      after.status = to;
      if (to == S::declined || to == S::closed) after.reason = "lost to competitor";
      const Status st = apply_lifecycle(before, after, kNow);
      BOOST_TEST_CONTEXT(to_string(from) << " -> " << to_string(to)) {
        if (allowed_moves().count({from, to}) == 1) {
          BOOST_TEST(is_ok(st));
          BOOST_TEST(after.status == to);
          BOOST_TEST(after.status_changed_at == kNow);
        } else {
          BOOST_TEST_REQUIRE(fails_with(st, ErrorCode::illegal_transition));
          const std::string expected =
              "cannot change from " + std::string(to_string(from)) + " to " + std::string(to_string(to));
          BOOST_TEST(st.error().message.find(expected) != std::string::npos, st.error().message);
          BOOST_TEST(has_error_containing(st.error().fields, "status", expected));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_refused_move_names_the_moves_allowed_from_there) {
  const std::map<S, std::string> expected = {
      {S::open, "open may go to in_process, qualified, declined or closed"},
      {S::qualified, "qualified may go to in_process, accepted, converted, declined or closed"},
      {S::declined, "declined may go to open"}};
  for (const auto& [from, allowed] : expected) {
    const Lead before = lead_in(from);
    Lead after = before;
    after.status = from == S::declined ? S::qualified : S::open;
    if (from == S::open) after.status = S::accepted;
    const Status st = apply_lifecycle(before, after, kNow);
    BOOST_TEST_REQUIRE(fails_with(st, ErrorCode::illegal_transition));
    BOOST_TEST(has_error_containing(st.error().fields, "status", "(" + allowed + ")"), describe(st.error().fields));
  }
}

BOOST_AUTO_TEST_CASE(unchanged_status_keeps_status_changed_at) {
  for (S s : kAll) {
    if (s == S::converted) continue;
    const Lead before = lead_in(s);
    Lead after = before;
    after.subject = "edited";
    BOOST_TEST_CONTEXT(to_string(s)) {
      BOOST_TEST(is_ok(apply_lifecycle(before, after, kNow)));
      BOOST_TEST(after.status == s);
      BOOST_TEST(after.status_changed_at == 1000);
    }
  }
}

BOOST_AUTO_TEST_CASE(converted_is_locked) {
  const Lead before = lead_in(S::converted);
  for (S to : kAll) {
    Lead after = before;
    after.status = to;
    after.subject = "any change";
    const Status st = apply_lifecycle(before, after, kNow);
    BOOST_TEST_CONTEXT("converted -> " << to_string(to)) {
      BOOST_TEST_REQUIRE(fails_with(st, ErrorCode::locked));
      BOOST_TEST(st.error().message.find(before.id.to_string()) != std::string::npos, st.error().message);
    }
  }
}

BOOST_AUTO_TEST_CASE(qualification_promotes_open_and_in_process) {
  for (S s : {S::open, S::in_process}) {
    for (Qualification q : {Qualification::cold, Qualification::warm, Qualification::hot}) {
      const Lead before = lead_in(s);
      Lead after = before;
      after.qualification = q;
      BOOST_TEST_CONTEXT(to_string(s) << " + " << to_string(q)) {
        BOOST_TEST(is_ok(apply_lifecycle(before, after, kNow)));
        BOOST_TEST(after.status == S::qualified);
        BOOST_TEST(after.status_changed_at == kNow);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(qualification_does_not_move_other_statuses) {
  for (S s : {S::qualified, S::accepted, S::declined, S::closed}) {
    const Lead before = lead_in(s);
    Lead after = before;
    after.qualification = Qualification::hot;
    BOOST_TEST_CONTEXT(to_string(s)) {
      BOOST_TEST(is_ok(apply_lifecycle(before, after, kNow)));
      BOOST_TEST(after.status == s);
    }
  }
}

BOOST_AUTO_TEST_CASE(unchanged_or_cleared_qualification_does_not_promote) {
  Lead before = lead_in(S::open);
  before.qualification = Qualification::warm;  // e.g. moved back to open by hand
  Lead same = before;
  same.subject = "edit";
  BOOST_TEST(is_ok(apply_lifecycle(before, same, kNow)));
  BOOST_TEST(same.status == S::open);

  Lead cleared = before;
  cleared.qualification.reset();
  BOOST_TEST(is_ok(apply_lifecycle(before, cleared, kNow)));
  BOOST_TEST(cleared.status == S::open);

  Lead changed = before;
  changed.qualification = Qualification::hot;  // a new level does promote
  BOOST_TEST(is_ok(apply_lifecycle(before, changed, kNow)));
  BOOST_TEST(changed.status == S::qualified);
}

BOOST_AUTO_TEST_CASE(explicit_status_wins_over_promotion) {
  const Lead before = lead_in(S::open);
  Lead after = before;
  after.qualification = Qualification::hot;
  after.status = S::in_process;
  BOOST_TEST(is_ok(apply_lifecycle(before, after, kNow)));
  BOOST_TEST(after.status == S::in_process);
}

BOOST_AUTO_TEST_CASE(declined_and_closed_need_a_reason) {
  for (S to : {S::declined, S::closed}) {
    const Lead before = lead_in(S::in_process);
    Lead after = before;
    after.status = to;
    BOOST_TEST_CONTEXT(to_string(to)) {
      BOOST_TEST(is_ok(apply_lifecycle(before, after, kNow)));  // the table allows it ...
      BOOST_TEST(has_error(validate(after), "reason",
                           "required when status is " + std::string(to_string(to))));  // ... validation wants a reason
      after.reason = "no budget";
      BOOST_TEST(validate(after).empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(reopen_sheds_the_old_reason) {
  for (S s : {S::declined, S::closed}) {
    const Lead before = lead_in(s);
    Lead after = before;
    after.status = S::open;
    BOOST_TEST_CONTEXT(to_string(s)) {
      BOOST_TEST(is_ok(apply_lifecycle(before, after, kNow)));
      BOOST_TEST(after.status == S::open);
      BOOST_TEST(after.reason.empty());
      BOOST_TEST(after.status_changed_at == kNow);
      BOOST_TEST(validate(after).empty());
    }
  }
  // a reason given with the reopen is kept
  const Lead before = lead_in(S::declined);
  Lead after = before;
  after.status = S::open;
  after.reason = "budget approved after all";
  BOOST_TEST(is_ok(apply_lifecycle(before, after, kNow)));
  BOOST_TEST(after.reason == "budget approved after all");
}

BOOST_AUTO_TEST_CASE(declined_cannot_go_elsewhere_than_open) {
  for (S to : {S::in_process, S::qualified, S::accepted, S::converted, S::closed}) {
    const Lead before = lead_in(S::declined);
    Lead after = before;
    after.status = to;
    BOOST_TEST_CONTEXT("declined -> " << to_string(to)) {
      BOOST_TEST(fails_with(apply_lifecycle(before, after, kNow), ErrorCode::illegal_transition));
    }
  }
}

BOOST_AUTO_TEST_CASE(initial_status) {
  for (S s : kAll) {
    BOOST_TEST_CONTEXT(to_string(s)) { BOOST_TEST(is_allowed_initial_status(s) == (s != S::converted)); }
  }
  Lead converted = minimal_lead();
  converted.status = S::converted;
  const Status st = apply_initial_lifecycle(converted, kNow);
  BOOST_TEST_REQUIRE(fails_with(st, ErrorCode::invalid));
  BOOST_TEST(has_error(st.error().fields, "status", "a lead cannot be created as converted"));

  Lead plain = minimal_lead();
  BOOST_TEST(is_ok(apply_initial_lifecycle(plain, kNow)));
  BOOST_TEST(plain.status == S::open);
  BOOST_TEST(plain.status_changed_at == kNow);

  Lead accepted = minimal_lead();
  accepted.status = S::accepted;
  BOOST_TEST(is_ok(apply_initial_lifecycle(accepted, kNow)));
  BOOST_TEST(accepted.status == S::accepted);
}

BOOST_AUTO_TEST_CASE(initial_qualification_promotes) {
  for (S s : {S::open, S::in_process}) {
    Lead l = minimal_lead();
    l.status = s;
    l.qualification = Qualification::cold;
    BOOST_TEST(is_ok(apply_initial_lifecycle(l, kNow)));
    BOOST_TEST(l.status == S::qualified);
  }
  Lead declined = minimal_lead();
  declined.status = S::declined;
  declined.qualification = Qualification::hot;
  BOOST_TEST(is_ok(apply_initial_lifecycle(declined, kNow)));
  BOOST_TEST(declined.status == S::declined);
}

BOOST_AUTO_TEST_SUITE_END()
