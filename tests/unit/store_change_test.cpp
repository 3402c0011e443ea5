// LeadStore::change_lead: versions, lifecycle through the store, locking, no-op
// changes, and the audit trail of changes.
#include <boost/test/unit_test.hpp>

#include "json/record_json.hpp"
#include "store_support.hpp"

using namespace leadhub;
using namespace leadhub::test;

BOOST_FIXTURE_TEST_SUITE(store_change, StoreFixture)

BOOST_AUTO_TEST_CASE(change_with_expected_version) {
  const Lead created = create(minimal_lead());
  clock.advance_ms(500);
  const Lead v2 = must_change(created.id, R"({"subject":"v2"})", 1, Actor{"maria", "web"});
  BOOST_TEST(v2.version == 2u);
  BOOST_TEST(v2.subject == "v2");
  BOOST_TEST(v2.changed_at == kT0 + 500);
  BOOST_TEST(v2.changed_by == "maria");
  BOOST_TEST(v2.created_at == kT0);
  BOOST_TEST(v2.created_by == created.created_by);
  BOOST_TEST((read(created.id) == v2));

  // a stale version is a conflict, and nothing changes
  auto stale = change(created.id, R"({"subject":"v3?"})", 1);
  BOOST_TEST_REQUIRE(fails_with(stale, ErrorCode::version_conflict));
  BOOST_TEST(stale.error().message.find("version 2") != std::string::npos, stale.error().message);
  BOOST_TEST((read(created.id) == v2));
  auto future = change(created.id, R"({"subject":"v3?"})", 5);
  BOOST_TEST(fails_with(future, ErrorCode::version_conflict));

  // the right version, or none at all, applies
  BOOST_TEST(must_change(created.id, R"({"subject":"v3"})", 2).version == 3u);
  BOOST_TEST(must_change(created.id, R"({"subject":"v4"})").version == 4u);
}

BOOST_AUTO_TEST_CASE(change_unknown_lead) {
  auto r = change(RecordId(0x4242ULL << 22), R"({"subject":"x"})");
  BOOST_TEST(fails_with(r, ErrorCode::not_found));
}

BOOST_AUTO_TEST_CASE(invalid_patches_are_refused) {
  const Lead created = create(minimal_lead());
  auto bad_email = change(created.id, R"({"prospect":{"email":"nope"}})");
  BOOST_TEST_REQUIRE(fails_with(bad_email, ErrorCode::invalid));
  BOOST_TEST(has_error(bad_email.error().fields, "prospect.email", "not an e-mail address"));

  auto unknown = change(created.id, R"({"colour":"red"})");
  BOOST_TEST_REQUIRE(fails_with(unknown, ErrorCode::invalid));
  BOOST_TEST(has_error(unknown.error().fields, "colour", "unknown field"));

  auto read_only = change(created.id, R"({"version":9})");
  BOOST_TEST_REQUIRE(fails_with(read_only, ErrorCode::invalid));
  BOOST_TEST(has_error(read_only.error().fields, "version", "read-only: set by the hub"));

  auto not_json = change(created.id, "{");
  BOOST_TEST(fails_with(not_json, ErrorCode::invalid));

  BOOST_TEST((read(created.id) == created));
  BOOST_TEST(stats().audit_entries == 1u);
}

BOOST_AUTO_TEST_CASE(patch_is_normalized) {
  const Lead created = create(minimal_lead());
  const Lead changed =
      must_change(created.id, R"({"prospect":{"phone":"0049 (30) 123456","address":{"country":" at"}}})");
  BOOST_TEST(changed.prospect.phone == "+4930123456");
  BOOST_TEST(changed.prospect.address.country == "AT");
}

BOOST_AUTO_TEST_CASE(illegal_transition) {
  const Lead created = create(minimal_lead());
  auto r = change(created.id, R"({"status":"accepted"})", 1);
  BOOST_TEST_REQUIRE(fails_with(r, ErrorCode::illegal_transition));
  BOOST_TEST(r.error().message.find("cannot change from open to accepted") != std::string::npos, r.error().message);
  BOOST_TEST(
      has_error(r.error().fields, "status",
                "cannot change from open to accepted (open may go to in_process, qualified, declined or closed)"));
  auto converted = change(created.id, R"({"status":"converted"})");
  BOOST_TEST(fails_with(converted, ErrorCode::illegal_transition));
  BOOST_TEST((read(created.id) == created));
}

BOOST_AUTO_TEST_CASE(walk_the_lifecycle_to_converted_then_locked) {
  const Lead created = create(minimal_lead());
  clock.advance_ms(10);
  const Lead in_process = must_change(created.id, R"({"status":"in_process"})", 1);
  BOOST_TEST(in_process.status == LeadStatus::in_process);
  BOOST_TEST(in_process.status_changed_at == kT0 + 10);
  clock.advance_ms(10);
  const Lead qualified = must_change(created.id, R"({"qualification":"hot"})", 2);  // promotion
  BOOST_TEST(qualified.status == LeadStatus::qualified);
  BOOST_TEST(qualified.status_changed_at == kT0 + 20);
  const Lead accepted = must_change(created.id, R"({"status":"accepted"})", 3);
  BOOST_TEST(accepted.status == LeadStatus::accepted);
  const Lead converted = must_change(created.id, R"({"status":"converted","opportunity_ref":"OPP-9"})", 4);
  BOOST_TEST(converted.status == LeadStatus::converted);
  BOOST_TEST(converted.version == 5u);

  for (const char* patch : {R"({"subject":"late edit"})", R"({"status":"open"})", R"({"status":"converted"})",
                            R"({"status":"closed","reason":"x"})", "{}"}) {
    auto r = change(created.id, patch);
    BOOST_TEST_CONTEXT(patch) {
      BOOST_TEST_REQUIRE(fails_with(r, ErrorCode::locked));
      BOOST_TEST(r.error().message.find(created.id.to_string()) != std::string::npos, r.error().message);
    }
  }
  // locked wins over a stale version
  BOOST_TEST(fails_with(change(created.id, R"({"subject":"x"})", 1), ErrorCode::locked));
  BOOST_TEST((read(created.id) == converted));
}

BOOST_AUTO_TEST_CASE(declined_needs_a_reason_and_reopen_clears_it) {
  const Lead created = create(minimal_lead());
  auto no_reason = change(created.id, R"({"status":"declined"})");
  BOOST_TEST_REQUIRE(fails_with(no_reason, ErrorCode::invalid));
  BOOST_TEST(has_error(no_reason.error().fields, "reason", "required when status is declined"));

  const Lead declined = must_change(created.id, R"({"status":"declined","reason":"no budget"})");
  BOOST_TEST(declined.status == LeadStatus::declined);
  BOOST_TEST(declined.reason == "no budget");

  auto clear_reason = change(created.id, R"({"reason":null})");
  BOOST_TEST_REQUIRE(fails_with(clear_reason, ErrorCode::invalid));
  BOOST_TEST(has_error(clear_reason.error().fields, "reason", "required when status is declined"));

  auto to_closed = change(created.id, R"({"status":"closed"})");
  BOOST_TEST(fails_with(to_closed, ErrorCode::illegal_transition));

  const Lead reopened = must_change(created.id, R"({"status":"open"})");
  BOOST_TEST(reopened.status == LeadStatus::open);
  BOOST_TEST(reopened.reason.empty());
  BOOST_TEST((read(created.id) == reopened));
}

BOOST_AUTO_TEST_CASE(no_op_change_keeps_the_version) {
  Lead l = minimal_lead();
  l.campaign = "c1";
  l.prospect.email = "a@example.com";
  const Lead created = create(l);
  clock.advance_ms(1000);
  for (const char* patch :
       {"{}", R"({"subject":"Heat pump"})", R"({"campaign":"c1","prospect":{"email":"a@example.com"}})",
        R"({"campaign":" c1 "})", R"({"status":"open"})", R"({"notes":null})"}) {
    auto r = change(created.id, patch, 1);
    BOOST_TEST_CONTEXT(patch) {
      BOOST_TEST_REQUIRE(is_ok(r));
      BOOST_TEST(r->version == 1u);
      BOOST_TEST(r->changed_at == kT0);
    }
  }
  BOOST_TEST((read(created.id) == created));
  BOOST_TEST(stats().audit_entries == 1u);
  // sending the whole record back unchanged is a no-op as well
  auto whole = change(created.id, to_json(created), 1);
  BOOST_TEST_REQUIRE(is_ok(whole));
  BOOST_TEST(whole->version == 1u);
}

BOOST_AUTO_TEST_CASE(audit_one_entry_per_changed_field) {
  Lead l = minimal_lead();
  l.subject = "Old subject";
  l.prospect.email = "a@example.com";
  const Lead created = create(l, {}, Actor{"importer", "lettershop"});
  clock.advance_ms(2000);
  must_change(created.id, R"({"subject":"New \"subject\"","campaign":"c1","priority":"high"})", 1,
              Actor{"maria", "sap"});
  clock.advance_ms(2000);
  must_change(created.id, R"({"campaign":null,"prospect":{"email":"b@example.com"},"status":"in_process"})", 2,
              Actor{"bob", "web"});

  auto audit = store->read_audit(created.id);
  BOOST_TEST_REQUIRE(is_ok(audit));
  const auto& e = *audit;
  BOOST_TEST_REQUIRE(e.size() == 7u);

  BOOST_TEST(e[0].action == "created");
  BOOST_TEST(e[0].version == 1u);
  BOOST_TEST(e[0].user == "importer");
  BOOST_TEST(e[0].connector == "lettershop");
  BOOST_TEST(e[0].at == kT0);

  // version 2: subject, priority, campaign (schema order: subject, status, ..., priority, ..., campaign)
  for (std::size_t i = 1; i <= 3; ++i) {
    BOOST_TEST_CONTEXT("entry " << i) {
      BOOST_TEST(e[i].action == "changed");
      BOOST_TEST(e[i].version == 2u);
      BOOST_TEST(e[i].user == "maria");
      BOOST_TEST(e[i].connector == "sap");
      BOOST_TEST(e[i].at == kT0 + 2000);
    }
  }
  BOOST_TEST(e[1].field == "subject");
  BOOST_TEST(e[1].old_json == "\"Old subject\"");
  BOOST_TEST(e[1].new_json == "\"New \\\"subject\\\"\"");
  BOOST_TEST(e[2].field == "priority");
  BOOST_TEST(e[2].old_json == "\"normal\"");
  BOOST_TEST(e[2].new_json == "\"high\"");
  BOOST_TEST(e[3].field == "campaign");
  BOOST_TEST(e[3].old_json == "null");
  BOOST_TEST(e[3].new_json == "\"c1\"");

  // version 3: status, campaign, prospect; bookkeeping (version, changed_*, status_changed_at) not audited
  for (std::size_t i = 4; i <= 6; ++i) {
    BOOST_TEST_CONTEXT("entry " << i) {
      BOOST_TEST(e[i].version == 3u);
      BOOST_TEST(e[i].user == "bob");
      BOOST_TEST(e[i].connector == "web");
      BOOST_TEST(e[i].at == kT0 + 4000);
    }
  }
  BOOST_TEST(e[4].field == "status");
  BOOST_TEST(e[4].old_json == "\"open\"");
  BOOST_TEST(e[4].new_json == "\"in_process\"");
  BOOST_TEST(e[5].field == "campaign");
  BOOST_TEST(e[5].old_json == "\"c1\"");
  BOOST_TEST(e[5].new_json == "null");
  BOOST_TEST(e[6].field == "prospect");
  BOOST_TEST(e[6].old_json == "{\"family_name\":\"Muster\",\"email\":\"a@example.com\"}");
  BOOST_TEST(e[6].new_json == "{\"family_name\":\"Muster\",\"email\":\"b@example.com\"}");

  for (const auto& entry : e) {
    BOOST_TEST(entry.field != "version");
    BOOST_TEST(entry.field != "changed_at");
    BOOST_TEST(entry.field != "changed_by");
    BOOST_TEST(entry.field != "status_changed_at");
  }
  BOOST_TEST(stats().audit_entries == 7u);
}

BOOST_AUTO_TEST_CASE(audit_values_with_special_characters) {
  const Lead created = create(minimal_lead());
  must_change(created.id,
              R"({"subject":"q \"x\" \u00fc \\ / \ud83d\ude00","attributes":{"k":"tab\there\nnext \u0041"}})");
  auto audit = store->read_audit(created.id);
  BOOST_TEST_REQUIRE(is_ok(audit));
  BOOST_TEST_REQUIRE(audit->size() == 3u);
  const Lead now = read(created.id);
  const auto members = lead_members_json(now);
  auto member = [&](std::string_view name) {
    for (const auto& m : members) {
      if (m.name == name) return m.json;
    }
    return std::string("null");
  };
  BOOST_TEST((*audit)[1].field == "subject");
  BOOST_TEST((*audit)[1].new_json == member("subject"));
  BOOST_TEST((*audit)[2].field == "attributes");
  BOOST_TEST((*audit)[2].old_json == "null");
  BOOST_TEST((*audit)[2].new_json == member("attributes"));
  BOOST_TEST((*audit)[2].new_json == "{\"k\":\"tab\\there\\nnext A\"}");
}

BOOST_AUTO_TEST_CASE(external_ref_owned_by_another_lead) {
  Lead a = minimal_lead("A");
  a.external_refs = {{"sap", "1"}};
  const Lead la = create(a);
  const Lead lb = create(minimal_lead("B"));
  auto r = change(lb.id, R"({"external_refs":[{"system":"sap","id":"1"}]})");
  BOOST_TEST_REQUIRE(fails_with(r, ErrorCode::invalid));
  BOOST_TEST(has_error(r.error().fields, "external_refs[0]", "already used by lead " + la.id.to_string()));
  // a lead may keep its own reference
  BOOST_TEST(is_ok(change(la.id, R"({"external_refs":[{"system":"sap","id":"1"},{"system":"crm","id":"2"}]})")));
  LeadQuery q;
  q.external_ref = ExternalRef{"crm", "2"};
  BOOST_TEST(find(q).items.size() == 1u);
}

BOOST_AUTO_TEST_CASE(external_ref_released_by_a_change_can_be_reused) {
  Lead a = minimal_lead("A");
  a.external_refs = {{"sap", "1"}, {"crm", "7"}};
  const Lead la = create(a);
  const Lead changed = must_change(la.id, R"({"external_refs":[{"system":"sap","id":"2"}]})");
  BOOST_TEST_REQUIRE(changed.external_refs.size() == 1u);

  // {sap,1} no longer names lead A: creating a lead with it makes a new lead
  Lead b = minimal_lead("B");
  b.external_refs = {{"sap", "1"}};
  auto rb = store->create_lead(CreateLeadCommand{b, {}, {}});
  BOOST_TEST_REQUIRE(is_ok(rb));
  BOOST_TEST(rb->created);
  BOOST_TEST(rb->record.id != la.id);
  BOOST_TEST(rb->record.prospect.family_name == "B");

  // and {crm,7} may be taken over by another lead
  const Lead lc = create(minimal_lead("C"));
  auto rc = change(lc.id, R"({"external_refs":[{"system":"crm","id":"7"}]})");
  BOOST_TEST(is_ok(rc));

  // the new reference is A's
  Lead d = minimal_lead("D");
  d.external_refs = {{"sap", "2"}};
  auto rd = store->create_lead(CreateLeadCommand{d, {}, {}});
  BOOST_TEST_REQUIRE(is_ok(rd));
  BOOST_TEST(!rd->created);
  BOOST_TEST(rd->record.id == la.id);
}

BOOST_AUTO_TEST_CASE(partner_id_checked_on_change) {
  const Lead created = create(minimal_lead());
  const RecordId missing(0x999ULL << 22);
  auto r = change(created.id, "{\"prospect\":{\"partner_id\":\"" + missing.to_string() + "\"}}");
  BOOST_TEST_REQUIRE(fails_with(r, ErrorCode::invalid));
  BOOST_TEST(has_error(r.error().fields, "prospect.partner_id", "no business partner with id " + missing.to_string()));

  BusinessPartner p;
  p.kind = PartnerKind::account;
  p.company = "ACME";
  auto partner = store->create_partner(CreatePartnerCommand{p, {}, {}});
  BOOST_TEST_REQUIRE(is_ok(partner));
  const Lead linked =
      must_change(created.id, "{\"prospect\":{\"partner_id\":\"" + partner->record.id.to_string() + "\"}}");
  BOOST_TEST(linked.prospect.partner_id == partner->record.id);
}

BOOST_AUTO_TEST_CASE(async_changes_apply_in_order) {
  const Lead created = create(minimal_lead());
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::uint64_t> versions;
  for (int i = 0; i < 20; ++i) {
    store->change_lead_async(
        ChangeLeadCommand{created.id, std::nullopt, "{\"subject\":\"s" + std::to_string(i) + "\"}", {}, {}, {}},
        [&](Result<Lead> r) {
          std::lock_guard lock(m);
          versions.push_back(r.ok() ? r->version : 0);
          cv.notify_all();
        });
  }
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return versions.size() == 20; });
  for (std::size_t i = 0; i < versions.size(); ++i) BOOST_TEST(versions[i] == i + 2);
  BOOST_TEST(read(created.id).subject == "s19");
  BOOST_TEST(read(created.id).version == 21u);
}

BOOST_AUTO_TEST_SUITE_END()
