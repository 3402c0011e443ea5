// Processing inside the store: duplicate check with its policies (single and bulk
// creates, after changes), classification with manual values kept, scoring from
// weights and from the learned model, assignment with round robin and capacity
// that survive a reopen, and the "processed" audit entry that explains each.
#include <boost/test/unit_test.hpp>

#include <set>

#include "processing/config.hpp"
#include "store_support.hpp"

using namespace leadhub;
using namespace leadhub::test;

namespace {

constexpr const char* kConfig = R"(
duplicates:
  policy: flag
  connector_policies: {web: reject, partner-feed: link, crm-sync: update}
  rules:
    - {name: same_email, match: email, weight: 1.0}
    - {name: name_and_postal_code, match: name, similarity: 0.9, same: [postal_code], weight: 1.0}
classification:
  rules:
    - name: germany_high
      when: {field: prospect.address.country, equals: DE}
      set: {priority: high}
    - name: trade_show_hot
      when: {field: source, equals: trade_show}
      set: {qualification: hot}
    - name: team_campaign
      when: {field: campaign, equals: team-days}
      set: {owner: {channel: team}}
scoring:
  features: [source, prospect.address.country]
  min_history: 4
  fallback:
    base: 20
    weights:
      - {name: has_company, when: {field: prospect.company, present: true}, points: 15}
assignment:
  channels:
    team: {distribution: round_robin, members: [anna, ben]}
    dealers: {distribution: capacity, members: [{name: d1, capacity: 1}, {name: d2, capacity: 1}]}
  rules:
    - {name: austria, countries: [AT], channel: dealers}
    - {name: germany, countries: [DE], channel: team}
approval:
  steps:
    - {name: sales_manager, role: sales-manager, when: {field: expected_value.amount, range: {min: 10000}}}
    - {name: director, role: director, when: {field: expected_value.amount, range: {min: 100000}}}
)";

struct ProcessingFixture : StoreFixture {
  ProcessingFixture() { use_processing(kConfig); }

  static Lead person(const std::string& family, const std::string& email, const std::string& country = "",
                     const std::string& postal = "") {
    Lead l = minimal_lead(family);
    l.prospect.given_name = "Anna";
    l.prospect.email = email;
    l.prospect.address.country = country;
    l.prospect.address.postal_code = postal;
    return l;
  }

  Result<Created<Lead>> create_via(Lead lead, const std::string& connector) {
    return store->create_lead(CreateLeadCommand{std::move(lead), Actor{"tester", connector}, ""});
  }

  // Anna Meyer's lead, pointing at a stored partner (which has no e-mail): the
  // partner a `link` should take. Returns the partner's id.
  RecordId stored_lead_with_partner() {
    BusinessPartner bp;
    bp.kind = PartnerKind::contact;
    bp.family_name = "Meyer";
    auto partner = store->create_partner(CreatePartnerCommand{bp, Actor{}, ""});
    BOOST_TEST_REQUIRE(is_ok(partner));
    Lead with_partner = person("Meyer", "anna@example.com");
    with_partner.prospect.partner_id = partner->record.id;
    create(with_partner);
    return partner->record.id;
  }

  // The latest "processed" entry of the lead's trail.
  AuditEntry latest_processed(RecordId id) {
    auto audit = store->read_audit(id);
    BOOST_TEST_REQUIRE(is_ok(audit));
    AuditEntry out;
    for (const auto& e : *audit) {
      if (e.action == "processed") out = e;
    }
    BOOST_TEST_REQUIRE(out.action == "processed");
    return out;
  }

  std::string processed_audit(RecordId id) {
    auto audit = store->read_audit(id);
    BOOST_TEST_REQUIRE(is_ok(audit));
    std::string out;
    for (const auto& e : *audit) {
      if (e.action == "processed") out = e.new_json;  // the latest
    }
    return out;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_processing, ProcessingFixture)

BOOST_AUTO_TEST_CASE(flag_policy_marks_the_duplicate_and_explains_why) {
  const Lead first = create(person("Meyer", "anna@example.com"));
  BOOST_TEST(first.duplicate_of.empty());
  const Lead second = create(person("Maier", "Anna@Example.com"));
  BOOST_TEST(second.duplicate_of == first.id);
  BOOST_TEST((read(second.id) == second));
  const std::string why = processed_audit(second.id);
  BOOST_TEST(why.find("\"policy\":\"flag\"") != std::string::npos, why);
  BOOST_TEST(why.find(first.id.to_string()) != std::string::npos, why);
  BOOST_TEST(why.find("same_email") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(reject_policy_answers_with_the_matches) {
  const Lead first = create(person("Meyer", "anna@example.com"));
  auto refused = create_via(person("Meyer", "anna@example.com"), "web");
  BOOST_TEST_REQUIRE(fails_with(refused, ErrorCode::duplicate));
  BOOST_TEST(refused.error().message.find(first.id.to_string()) != std::string::npos);
  BOOST_TEST_REQUIRE(refused.error().fields.size() == 1u);
  BOOST_TEST(refused.error().fields[0].field == "duplicate_of");
  BOOST_TEST(refused.error().fields[0].reason.find("same_email") != std::string::npos);
  BOOST_TEST(stats().leads == 1u);
}

BOOST_AUTO_TEST_CASE(link_policy_attaches_the_existing_business_partner) {
  const RecordId partner = stored_lead_with_partner();
  auto linked = create_via(person("Meyer", "anna@example.com"), "partner-feed");
  BOOST_TEST_REQUIRE(is_ok(linked));
  BOOST_TEST(linked->record.prospect.partner_id == partner);
  BOOST_TEST(linked->record.duplicate_of.empty());
}

// A web form registers a partner for each new person; with `link`, the duplicate's
// partner is taken instead and none is registered.
BOOST_AUTO_TEST_CASE(link_policy_takes_the_duplicates_partner_over_a_new_one) {
  const RecordId partner = stored_lead_with_partner();
  auto linked = store->create_lead(
      CreateLeadCommand{person("Meyer", "anna@example.com"), Actor{"tester", "partner-feed"}, "", true});
  BOOST_TEST_REQUIRE(is_ok(linked));
  BOOST_TEST(linked->record.prospect.partner_id == partner);
  BOOST_TEST(linked->record.duplicate_of.empty());
  BOOST_TEST((read(linked->record.id) == linked->record));
  BOOST_TEST(stats().partners == 1u);
}

// A batch that fills the map is applied again after the map grows. The replay must
// decide as the first attempt did: link to the duplicate's partner, not flag the
// lead (the first attempt had already dropped the new partner and set the id).
BOOST_AUTO_TEST_CASE(link_policy_survives_the_replay_after_the_map_grows) {
  reopen_fresh(std::size_t{256} << 10);
  const RecordId partner = stored_lead_with_partner();
  constexpr std::size_t kLeads = 300;  // about 300 KB of records: more than the map holds
  std::vector<CreateLeadCommand> cmds;
  for (std::size_t i = 0; i < kLeads; ++i) {
    Lead l = person("Meyer", "anna@example.com");
    l.notes = {{kT0, "loader", "padding so the batch outgrows the map: " + std::string(600, 'p')}};
    cmds.push_back(CreateLeadCommand{std::move(l), Actor{"tester", "partner-feed"}, "", true});
  }
  const auto results =
      collect_async<Created<Lead>>(kLeads, [&](const auto& done) { store->create_leads_async(std::move(cmds), done); });
  for (const auto& r : results) {
    BOOST_TEST_REQUIRE(is_ok(r));
    BOOST_TEST(r->record.prospect.partner_id == partner);
    BOOST_TEST(r->record.duplicate_of.empty());
    BOOST_TEST((read(r->record.id) == r->record));
  }
  BOOST_TEST(stats().map_grows > 0u);
  BOOST_TEST(stats().partners == 1u);
}

// The same replay when each lead registers its own new partner: the partner put by
// the aborted attempt is gone, so the replay must store it again, not look for it.
BOOST_AUTO_TEST_CASE(new_partners_survive_the_replay_after_the_map_grows) {
  reopen_fresh(std::size_t{256} << 10);
  constexpr std::size_t kLeads = 300;
  std::vector<CreateLeadCommand> cmds;
  for (std::size_t i = 0; i < kLeads; ++i) {
    Lead l = person("Person" + std::to_string(i), "p" + std::to_string(i) + "@example.com", "FR");
    l.notes = {{kT0, "loader", "padding so the batch outgrows the map: " + std::string(600, 'p')}};
    cmds.push_back(CreateLeadCommand{std::move(l), Actor{"tester", "partner-feed"}, "", true});
  }
  const auto results =
      collect_async<Created<Lead>>(kLeads, [&](const auto& done) { store->create_leads_async(std::move(cmds), done); });
  std::set<RecordId> partners;
  for (const auto& r : results) {
    BOOST_TEST_REQUIRE(is_ok(r), (r ? "" : r.error().message));
    BOOST_TEST_REQUIRE(!r->record.prospect.partner_id.empty());
    BOOST_TEST(is_ok(store->read_partner(r->record.prospect.partner_id)));
    BOOST_TEST((read(r->record.id) == r->record));
    partners.insert(r->record.prospect.partner_id);
  }
  BOOST_TEST(stats().map_grows > 0u);
  BOOST_TEST(partners.size() == kLeads);
  BOOST_TEST(stats().partners == kLeads);
}

BOOST_AUTO_TEST_CASE(update_policy_changes_the_existing_lead_instead) {
  const Lead first = create(person("Meyer", "anna@example.com"));
  Lead again = person("Meyer", "anna@example.com");
  again.subject = "Heat pump, 12 kW";
  again.notes.push_back(Note{0, "", "asked for a call"});
  auto updated = create_via(again, "crm-sync");
  BOOST_TEST_REQUIRE(is_ok(updated));
  BOOST_TEST(!updated->created);
  BOOST_TEST(updated->record.id == first.id);
  BOOST_TEST(updated->record.version == 2u);
  BOOST_TEST(updated->record.subject == "Heat pump, 12 kW");
  BOOST_TEST_REQUIRE(updated->record.notes.size() == 1u);
  BOOST_TEST(stats().leads == 1u);
}

// The updated lead's trail says why it changed: which create, through which
// connector, found it as its duplicate and by which rule, as a create's own
// "processed" entry explains a flagged or linked duplicate.
BOOST_AUTO_TEST_CASE(update_policy_explains_the_duplicate_create_in_the_updated_leads_trail) {
  const Lead first = create(person("Meyer", "anna@example.com"));
  Lead again = person("Meyer", "anna@example.com");
  again.subject = "Heat pump, 12 kW";
  again.external_refs = {{"crm", "4711"}};
  auto updated = store->create_lead(CreateLeadCommand{again, Actor{"sync", "crm-sync"}, "crm-4711"});
  BOOST_TEST_REQUIRE(is_ok(updated));
  BOOST_TEST_REQUIRE(updated->record.id == first.id);

  const AuditEntry why = latest_processed(first.id);
  BOOST_TEST(why.version == 2u);  // the version the update made, beside its "changed" entries
  BOOST_TEST(why.user == "sync");
  BOOST_TEST(why.connector == "crm-sync");
  const std::string duplicates = R"("duplicates":{"policy":"update","duplicate":true,"candidates_checked":1,)"
                                 R"("matches":[{"id":")" +
                                 first.id.to_string() + R"(","score":1.0,"rules":["same_email"]}]})";  // as read back
  BOOST_TEST(why.new_json.find(duplicates) != std::string::npos, why.new_json);
  const std::string incoming = R"("duplicate_create":{"connector":"crm-sync","idempotency_key":"crm-4711",)"
                               R"("external_refs":[{"system":"crm","id":"4711"}]})";
  BOOST_TEST(why.new_json.find(incoming) != std::string::npos, why.new_json);
}

// Only what the create carried: no key, no references, just where it came from.
BOOST_AUTO_TEST_CASE(update_policy_names_only_the_identity_the_create_carried) {
  const Lead first = create(person("Meyer", "anna@example.com"));
  Lead again = person("Meyer", "anna@example.com");
  again.subject = "Heat pump, 8 kW";
  auto updated = create_via(again, "crm-sync");
  BOOST_TEST_REQUIRE(is_ok(updated));
  const std::string why = latest_processed(first.id).new_json;
  BOOST_TEST(why.find(R"("duplicate_create":{"connector":"crm-sync"})") != std::string::npos, why);
  BOOST_TEST(why.find(R"("policy":"update")") != std::string::npos, why);
}

// An import goes the bulk way: a duplicate of a lead earlier in the same job (not in
// the indexes yet) updates it and explains it as a single create does.
BOOST_AUTO_TEST_CASE(update_policy_in_an_import_explains_it_too) {
  Lead original = person("Meyer", "anna@example.com");
  original.external_refs = {{"crm", "1"}};
  Lead again = person("Meyer", "anna@example.com");
  again.subject = "Heat pump, 12 kW";
  again.external_refs = {{"crm", "2"}};
  std::vector<CreateLeadCommand> cmds;
  cmds.push_back(CreateLeadCommand{original, Actor{"loader", "crm-sync"}, ""});
  cmds.push_back(CreateLeadCommand{again, Actor{"loader", "crm-sync"}, ""});
  const auto results =
      collect_async<CreateOutcome>(2, [&](const auto& done) { store->import_leads_async(std::move(cmds), done); });
  BOOST_TEST_REQUIRE(is_ok(results[0]));
  BOOST_TEST_REQUIRE(is_ok(results[1]));
  BOOST_TEST(results[0]->created);
  BOOST_TEST(!results[1]->created);
  BOOST_TEST_REQUIRE(results[1]->id == results[0]->id);
  const AuditEntry why = latest_processed(results[0]->id);
  BOOST_TEST(why.version == 2u);
  BOOST_TEST(
      why.new_json.find(R"("duplicate_create":{"connector":"crm-sync","external_refs":[{"system":"crm","id":"2"}]})") !=
          std::string::npos,
      why.new_json);
  BOOST_TEST(why.new_json.find(R"("policy":"update","duplicate":true)") != std::string::npos, why.new_json);
}

// An ordinary change is not explained as a duplicate create.
BOOST_AUTO_TEST_CASE(a_plain_change_has_no_duplicate_explanation) {
  const Lead first = create(person("Meyer", "anna@example.com"));
  must_change(first.id, R"({"subject":"Other"})");
  const std::string why = latest_processed(first.id).new_json;
  BOOST_TEST(why.find("duplicate") == std::string::npos, why);
  BOOST_TEST(why.find("assignment") == std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(fuzzy_names_match_across_transliteration) {
  const Lead first = create(person("Müller", "", "DE", "10115"));
  const Lead second = create(person("Mueller", "", "DE", "10115"));
  BOOST_TEST(second.duplicate_of == first.id);
  const Lead elsewhere = create(person("Mueller", "", "DE", "80331"));
  BOOST_TEST(elsewhere.duplicate_of.empty());
}

BOOST_AUTO_TEST_CASE(leads_of_one_bulk_job_see_each_other) {
  const auto created = create_many({person("A", "same@example.com"), person("B", "same@example.com")});
  BOOST_TEST(created[0].duplicate_of.empty());
  BOOST_TEST(created[1].duplicate_of == created[0].id);
}

BOOST_AUTO_TEST_CASE(a_change_moves_the_lead_in_the_duplicate_index) {
  const Lead first = create(person("Meyer", "old@example.com"));
  must_change(first.id, R"({"prospect":{"email":"new@example.com"}})");
  BOOST_TEST(create(person("X", "old@example.com")).duplicate_of.empty());
  BOOST_TEST(create(person("Y", "new@example.com")).duplicate_of == first.id);
}

BOOST_AUTO_TEST_CASE(classification_runs_at_create_and_keeps_manual_values) {
  const Lead de = create(person("Meyer", "", "DE"));
  BOOST_TEST(de.priority == Priority::high);
  must_change(de.id, R"({"priority":"low"})");  // a person overrides the rule
  const Lead later = must_change(de.id, R"({"subject":"still a heat pump"})");
  BOOST_TEST(later.priority == Priority::low);
  BOOST_TEST(processed_audit(de.id).find("\"kept_manual\":[\"priority\"]") != std::string::npos,
             processed_audit(de.id));
}

BOOST_AUTO_TEST_CASE(a_qualification_set_by_a_rule_qualifies_the_lead_as_a_persons_would) {
  Lead at_fair = person("Fair", "");
  at_fair.source = LeadSource::trade_show;
  const Lead created = create(at_fair);
  BOOST_TEST((created.qualification == Qualification::hot));
  BOOST_TEST(created.status == LeadStatus::qualified);

  const Lead plain = create(person("Later", ""));
  BOOST_TEST(plain.status == LeadStatus::open);
  clock.advance_ms(1000);
  const Lead changed = must_change(plain.id, R"({"source":"trade_show"})");
  BOOST_TEST((changed.qualification == Qualification::hot));
  BOOST_TEST(changed.status == LeadStatus::qualified);
  BOOST_TEST(changed.status_changed_at > plain.status_changed_at);
}

BOOST_AUTO_TEST_CASE(score_from_weights_until_there_is_history) {
  Lead with_company = person("Meyer", "");
  with_company.prospect.company = "Meyer GmbH";
  BOOST_TEST(create(with_company).score.value_or(0) == 35);
  const Lead plain = create(person("Schulz", ""));
  BOOST_TEST(plain.score.value_or(0) == 20);
  BOOST_TEST(processed_audit(plain.id).find("\"from\":\"weights\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_model_learns_from_won_and_lost_leads_and_survives_a_reopen) {
  auto close_as = [&](Lead lead, const std::string& patch) {
    const Lead created = create(std::move(lead));
    must_change(created.id, R"({"status":"in_process"})");
    must_change(created.id, R"({"status":"qualified"})");
    must_change(created.id, patch);
  };
  for (int i = 0; i < 2; ++i) {
    Lead won = person("W" + std::to_string(i), "", "AT");
    won.source = LeadSource::web_form;
    close_as(won, R"({"status":"accepted"})");
    Lead lost = person("L" + std::to_string(i), "", "FR");
    lost.source = LeadSource::lettershop;
    close_as(lost, R"({"status":"declined","reason":"no budget"})");
  }
  // accepted is not yet won: convert the accepted ones
  for (const auto& l : find({}).items) {
    if (l.status == LeadStatus::accepted) must_change(l.id, R"({"status":"converted","opportunity_ref":"OPP-1"})");
  }
  reopen();
  Lead like_won = person("N1", "", "AT");
  like_won.source = LeadSource::web_form;
  Lead like_lost = person("N2", "", "FR");
  like_lost.source = LeadSource::lettershop;
  const Lead a = create(like_won);
  const Lead b = create(like_lost);
  BOOST_TEST_REQUIRE(a.score.has_value());
  BOOST_TEST(*a.score > *b.score);
  BOOST_TEST(processed_audit(a.id).find("\"from\":\"model\"") != std::string::npos, processed_audit(a.id));
  auto rebuilt = store->rebuild_score_model();
  BOOST_TEST_REQUIRE(is_ok(rebuilt));
  BOOST_TEST(rebuilt->first == 2u);
  BOOST_TEST(rebuilt->second == 2u);
}

BOOST_AUTO_TEST_CASE(round_robin_continues_after_a_reopen) {
  std::vector<std::string> assignees;
  assignees.reserve(4);
  for (int i = 0; i < 3; ++i) assignees.push_back(create(person("R" + std::to_string(i), "", "DE")).owner.assignee);
  reopen();
  assignees.push_back(create(person("R3", "", "DE")).owner.assignee);
  const std::vector<std::string> expected = {"anna", "ben", "anna", "ben"};
  BOOST_TEST(assignees == expected, boost::test_tools::per_element());
  Lead chosen = person("Own", "", "DE");
  chosen.owner.channel = "elsewhere";
  BOOST_TEST(create(chosen).owner.channel == "elsewhere");  // the source's choice stands
}

BOOST_AUTO_TEST_CASE(a_channel_chosen_without_a_member_gets_one_from_its_distribution) {
  Lead by_rule = person("Rule", "");
  by_rule.campaign = "team-days";
  const Lead first = create(by_rule);
  BOOST_TEST(first.owner.channel == "team");
  BOOST_TEST(first.owner.assignee == "anna");
  BOOST_TEST(processed_audit(first.id).find("round robin in team") != std::string::npos, processed_audit(first.id));
  Lead by_source = person("Source", "");
  by_source.owner.channel = "team";
  BOOST_TEST(create(by_source).owner.assignee == "ben");
  Lead named = person("Named", "");
  named.owner = {"team", "carla"};
  BOOST_TEST(create(named).owner.assignee == "carla");  // a named member stands
}

BOOST_AUTO_TEST_CASE(a_rule_moving_a_lead_to_another_channel_takes_a_member_of_that_channel) {
  const Lead at = create(person("Moved", "", "AT"));
  BOOST_TEST(at.owner.channel == "dealers");
  BOOST_TEST(at.owner.assignee == "d1");
  const Lead moved = must_change(at.id, R"({"campaign":"team-days"})");
  BOOST_TEST(moved.owner.channel == "team");
  BOOST_TEST(moved.owner.assignee == "anna");                           // not d1, a member of the old channel
  BOOST_TEST(create(person("Next", "", "AT")).owner.assignee == "d1");  // d1 has room again
}

BOOST_AUTO_TEST_CASE(capacity_counts_open_leads_per_member) {
  const Lead first = create(person("C1", "", "AT"));
  const Lead second = create(person("C2", "", "AT"));
  BOOST_TEST(first.owner.assignee != second.owner.assignee);
  const Lead third = create(person("C3", "", "AT"));
  BOOST_TEST(third.owner.channel == "dealers");
  BOOST_TEST(third.owner.assignee.empty());  // both full: the channel's queue
  must_change(first.id, R"({"status":"closed","reason":"no interest"})");
  const Lead fourth = create(person("C4", "", "AT"));
  BOOST_TEST(fourth.owner.assignee == first.owner.assignee);
}

BOOST_AUTO_TEST_CASE(merge_moves_notes_attachments_and_references_to_the_survivor) {
  Lead s = person("Meyer", "s@example.com");
  s.external_refs.push_back({"crm", "1"});
  const Lead survivor = create(s);
  Lead o = person("Meier", "o@example.com");
  o.external_refs.push_back({"lettershop", "77"});
  o.notes.push_back(Note{0, "", "called, wants a quote"});
  o.attachments.push_back(Attachment{"quote.pdf", "application/pdf", 10, std::string(64, 'a'), "https://x/q.pdf"});
  const Lead other = create(o);
  const Lead other2 = create(person("Mayer", "m@example.com"));

  auto merged = store->merge_leads(MergeLeadsCommand{survivor.id, {other.id, other2.id}, Actor{"maria", "cli"}});
  BOOST_TEST_REQUIRE(is_ok(merged), (merged ? "" : merged.error().message));
  BOOST_TEST(merged->external_refs.size() == 2u);
  BOOST_TEST_REQUIRE(merged->notes.size() == 1u);
  BOOST_TEST(merged->notes[0].text == "called, wants a quote");
  BOOST_TEST(merged->attachments.size() == 1u);
  for (const RecordId id : {other.id, other2.id}) {
    const Lead gone = read(id);
    BOOST_TEST(gone.status == LeadStatus::closed);
    BOOST_TEST(gone.duplicate_of == survivor.id);
    BOOST_TEST(gone.external_refs.empty());
  }
  LeadQuery by_ref;
  by_ref.external_ref = ExternalRef{"lettershop", "77"};
  const auto found = find(by_ref);
  BOOST_TEST_REQUIRE(found.items.size() == 1u);
  BOOST_TEST(found.items[0].id == survivor.id);  // the reference now finds the survivor
  auto audit = store->read_audit(survivor.id);
  BOOST_TEST_REQUIRE(is_ok(audit));
  int merged_entries = 0;
  for (const auto& e : *audit) merged_entries += e.action == "merged" ? 1 : 0;
  BOOST_TEST(merged_entries == 2);
  auto events = store->read_outbox(1000);
  BOOST_TEST_REQUIRE(is_ok(events));
  BOOST_TEST(events->back().json.find("\"type\":\"lead.merged\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(merge_of_leads_with_ids_in_the_same_system_keeps_the_survivors) {
  Lead s = person("Meyer", "s@example.com");
  s.external_refs.push_back({"web", "f-1"});
  const Lead survivor = create(s);
  Lead o = person("Meier", "o@example.com");
  o.external_refs = {{"web", "f-2"}, {"crm", "9"}};
  const Lead other = create(o);

  auto merged = store->merge_leads(MergeLeadsCommand{survivor.id, {other.id}, Actor{"maria", "cli"}});
  BOOST_TEST_REQUIRE(is_ok(merged), (merged ? "" : merged.error().message));
  const std::vector<ExternalRef> expected = {{"web", "f-1"}, {"crm", "9"}};
  BOOST_TEST((merged->external_refs == expected));
  const Lead gone = read(other.id);
  BOOST_TEST(gone.status == LeadStatus::closed);
  const std::vector<ExternalRef> kept = {{"web", "f-2"}};  // its id in that system stays its own
  BOOST_TEST((gone.external_refs == kept));
}

BOOST_AUTO_TEST_CASE(a_merge_that_fails_changes_nothing) {
  const Lead survivor = create(person("Meyer", "s@example.com"));
  const Lead other = create(person("Meier", "o@example.com"));
  const Lead converted = create(person("Mayer", "m@example.com"));
  for (const char* status : {"in_process", "qualified", "accepted"}) {
    must_change(converted.id, std::string(R"({"status":")") + status + "\"}");
  }
  must_change(converted.id, R"({"status":"converted","opportunity_ref":"OPP-9"})");
  auto refused = store->merge_leads(MergeLeadsCommand{survivor.id, {other.id, converted.id}, Actor{}});
  BOOST_TEST(fails_with(refused, ErrorCode::locked));
  BOOST_TEST(read(other.id).version == other.version);
  BOOST_TEST(read(survivor.id).version == survivor.version);
  BOOST_TEST(
      fails_with(store->merge_leads(MergeLeadsCommand{survivor.id, {survivor.id}, Actor{}}), ErrorCode::invalid));
  BOOST_TEST(fails_with(store->merge_leads(MergeLeadsCommand{survivor.id, {}, Actor{}}), ErrorCode::invalid));
  BOOST_TEST(fails_with(store->merge_leads(MergeLeadsCommand{survivor.id, {other.id, other.id}, Actor{}}),
                        ErrorCode::invalid));
}

BOOST_AUTO_TEST_CASE(a_lead_merged_before_is_not_merged_twice) {
  const Lead survivor = create(person("Meyer", "s@example.com"));
  const Lead other = create(person("Meier", "o@example.com"));
  const Lead elsewhere = create(person("Mayer", "m@example.com"));
  BOOST_TEST_REQUIRE(is_ok(store->merge_leads(MergeLeadsCommand{survivor.id, {other.id}, Actor{"maria", "cli"}})));
  const Lead merged = read(survivor.id);
  const auto merged_entries = [&](RecordId id) {
    int n = 0;
    const auto audit = store->read_audit(id);
    for (const auto& e : audit.value()) n += e.action == "merged" ? 1 : 0;
    return n;
  };

  // Retried (the answer was lost): the merge is done, nothing is copied again.
  auto again = store->merge_leads(MergeLeadsCommand{survivor.id, {other.id}, Actor{"maria", "cli"}});
  BOOST_TEST_REQUIRE(is_ok(again), (again ? "" : again.error().message));
  BOOST_TEST(again->version == merged.version);
  BOOST_TEST(merged_entries(survivor.id) == 1);

  // Into another lead: refused, naming the first survivor; nothing changes.
  auto second = store->merge_leads(MergeLeadsCommand{elsewhere.id, {other.id}, Actor{"maria", "cli"}});
  BOOST_TEST_REQUIRE(fails_with(second, ErrorCode::illegal_transition));
  BOOST_TEST_REQUIRE(second.error().fields.size() == 1u);
  BOOST_TEST(second.error().fields[0].field == "others[0]");
  BOOST_TEST(second.error().message.find("merged into " + survivor.id.to_string()) != std::string::npos,
             second.error().message);
  BOOST_TEST(read(other.id).duplicate_of == survivor.id);
  BOOST_TEST(read(elsewhere.id).version == elsewhere.version);
  BOOST_TEST(merged_entries(elsewhere.id) == 0);

  // A lead flagged as a duplicate of the survivor but never merged still merges.
  Lead flagged_doc = person("Maier", "f@example.com");
  flagged_doc.duplicate_of = survivor.id;
  const Lead flagged = create(flagged_doc);
  must_change(flagged.id, R"({"status":"closed","reason":"same person"})");
  BOOST_TEST_REQUIRE(is_ok(store->merge_leads(MergeLeadsCommand{survivor.id, {flagged.id}, Actor{}})));
  BOOST_TEST(merged_entries(survivor.id) == 2);
}

BOOST_AUTO_TEST_CASE(manual_assignment_picks_in_the_channel_or_takes_the_named_member) {
  const Lead lead = create(person("Fr", "", "FR"));  // no rule for FR: unassigned
  BOOST_TEST(lead.owner.empty());
  auto picked = store->assign_lead(AssignLeadCommand{lead.id, "team", "", std::nullopt, Actor{"maria", "cli"}});
  BOOST_TEST_REQUIRE(is_ok(picked));
  BOOST_TEST(picked->owner.channel == "team");
  BOOST_TEST(picked->owner.assignee == "anna");
  auto named = store->assign_lead(AssignLeadCommand{lead.id, "team", "ben", picked->version, Actor{}});
  BOOST_TEST_REQUIRE(is_ok(named));
  BOOST_TEST(named->owner.assignee == "ben");
  auto queue = store->assign_lead(AssignLeadCommand{lead.id, "partner-acme", "", std::nullopt, Actor{}});
  BOOST_TEST_REQUIRE(is_ok(queue));
  BOOST_TEST(queue->owner.channel == "partner-acme");
  BOOST_TEST(queue->owner.assignee.empty());
  auto stale = store->assign_lead(AssignLeadCommand{lead.id, "team", "", 1, Actor{}});
  BOOST_TEST(fails_with(stale, ErrorCode::version_conflict));
  // the refused assignment did not move the round robin: the next pick is ben
  BOOST_TEST(create(person("De", "", "DE")).owner.assignee == "ben");
}

// The processed entry of each manual assignment says it was made by hand, by whom,
// and how the member was chosen: the channel's strategy and pick, or the name given.
BOOST_AUTO_TEST_CASE(manual_assignment_is_explained_in_the_processed_entry) {
  const Lead lead = create(person("Fr", "", "FR"));
  const Actor maria{"maria", "cli"};
  auto picked = store->assign_lead(AssignLeadCommand{lead.id, "team", "", std::nullopt, maria});
  BOOST_TEST_REQUIRE(is_ok(picked));
  AuditEntry why = latest_processed(lead.id);
  BOOST_TEST(why.version == picked->version);
  BOOST_TEST(why.new_json.find(R"("assignment":{"rule":"","channel":"team","assignee":"anna",)"
                               R"("reason":"manual assignment: round robin in team","distribution":"round_robin",)"
                               R"("manual":true,"by":"maria"})") != std::string::npos,
             why.new_json);

  auto dealt = store->assign_lead(AssignLeadCommand{lead.id, "dealers", "", std::nullopt, Actor{"otto", "http"}});
  BOOST_TEST_REQUIRE(is_ok(dealt));
  why = latest_processed(lead.id);
  BOOST_TEST(why.new_json.find(R"("channel":"dealers","assignee":"d1",)"
                               R"x("reason":"manual assignment: least loaded in dealers (0 open)",)x"
                               R"("distribution":"capacity","manual":true,"by":"otto"})") != std::string::npos,
             why.new_json);

  auto named = store->assign_lead(AssignLeadCommand{lead.id, "team", "ben", std::nullopt, maria});
  BOOST_TEST_REQUIRE(is_ok(named));
  why = latest_processed(lead.id);
  BOOST_TEST(why.version == named->version);
  BOOST_TEST(why.new_json.find(R"("assignment":{"rule":"","channel":"team","assignee":"ben",)"
                               R"("reason":"manual assignment: assignee named","manual":true,"by":"maria"})") !=
                 std::string::npos,
             why.new_json);

  auto queue = store->assign_lead(AssignLeadCommand{lead.id, "partner-acme", "", std::nullopt, maria});
  BOOST_TEST_REQUIRE(is_ok(queue));
  why = latest_processed(lead.id);
  BOOST_TEST(why.new_json.find(R"("channel":"partner-acme","assignee":"",)"
                               R"("reason":"manual assignment: channel partner-acme is not configured here: )"
                               R"(its queue takes the lead","manual":true,"by":"maria"})") != std::string::npos,
             why.new_json);
}

// The automatic picks name the strategy the same way: at create, and when a rule
// moves a lead to a channel on a change.
BOOST_AUTO_TEST_CASE(automatic_picks_name_the_channels_distribution) {
  const Lead de = create(person("Auto", "", "DE"));
  BOOST_TEST(processed_audit(de.id).find(R"("assignee":"anna","reason":"rule germany: round robin in team",)"
                                         R"("distribution":"round_robin"})") != std::string::npos,
             processed_audit(de.id));
  const Lead at = create(person("Moved", "", "AT"));
  const Lead moved = must_change(at.id, R"({"campaign":"team-days"})");
  BOOST_TEST(moved.owner.assignee == "ben");
  const std::string why = processed_audit(at.id);
  BOOST_TEST(why.find(R"("assignment":{"rule":"","channel":"team","assignee":"ben",)"
                      R"("reason":"channel chosen by classification: round robin in team",)"
                      R"("distribution":"round_robin"})") != std::string::npos,
             why);
  BOOST_TEST(why.find(R"("manual":true)") == std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(an_approval_step_with_a_role_is_decided_only_by_its_holders) {
  Lead big = person("Role", "role@example.com");
  big.expected_value = Money{"150000.00", "EUR"};
  const Lead created = create(big);
  using Roles = std::vector<std::string>;
  ApprovalDecision clerk{created.id, "sales_manager", true, "", Actor{"clerk", "api"}, Roles{}};
  auto refused = store->decide_approval(clerk);
  BOOST_TEST_REQUIRE(fails_with(refused, ErrorCode::forbidden));
  BOOST_TEST(refused.error().message == "step 'sales_manager' is decided by role 'sales-manager'; clerk holds no role");
  ApprovalDecision director{created.id, "sales_manager", true, "", Actor{"dora", "api"}, Roles{"director"}};
  BOOST_TEST(fails_with(store->decide_approval(director), ErrorCode::forbidden));
  ApprovalDecision manager{created.id, "sales_manager", true, "", Actor{"sam", "api"}, Roles{"sales-manager"}};
  BOOST_TEST_REQUIRE(is_ok(store->decide_approval(manager)));
  director.step = "director";
  auto approved = store->decide_approval(director);
  BOOST_TEST_REQUIRE(is_ok(approved));
  BOOST_TEST(approved->complete);
  // the refusals left no trace: two decisions, both approvals
  const auto audit = store->read_audit(created.id);
  BOOST_TEST_REQUIRE(is_ok(audit));
  int entries = 0;
  for (const auto& e : *audit) entries += e.action == "approved" ? 1 : 0;
  BOOST_TEST(entries == 2);
}

BOOST_AUTO_TEST_CASE(convert_waits_for_every_required_approval_in_order) {
  Lead big = person("Big", "big@example.com");
  big.expected_value = Money{"150000.00", "EUR"};
  const Lead created = create(big);
  must_change(created.id, R"({"status":"in_process"})");
  must_change(created.id, R"({"status":"qualified"})");
  auto waiting = store->convert_lead(ConvertLeadCommand{created.id, "", std::nullopt, Actor{"maria", "cli"}});
  BOOST_TEST_REQUIRE(fails_with(waiting, ErrorCode::illegal_transition));
  BOOST_TEST(has_error(waiting.error().fields, "approval.sales_manager", "pending (sales-manager)"));
  BOOST_TEST(has_error(waiting.error().fields, "approval.director", "pending (director)"));
  BOOST_TEST(read(created.id).status == LeadStatus::qualified);  // not even accepted: all or nothing

  auto out_of_order =
      store->decide_approval(ApprovalDecision{created.id, "director", true, "", Actor{"dora", "api"}, std::nullopt});
  BOOST_TEST(fails_with(out_of_order, ErrorCode::invalid));
  BOOST_TEST_REQUIRE(is_ok(store->decide_approval(
      ApprovalDecision{created.id, "sales_manager", true, "ok", Actor{"sam", "api"}, std::nullopt})));
  auto rejected = store->decide_approval(
      ApprovalDecision{created.id, "director", false, "too risky", Actor{"dora", "api"}, std::nullopt});
  BOOST_TEST_REQUIRE(is_ok(rejected));
  BOOST_TEST(!rejected->complete);
  BOOST_TEST(rejected->steps[1].state == "rejected");
  BOOST_TEST(fails_with(store->convert_lead(ConvertLeadCommand{created.id, "", std::nullopt, Actor{}}),
                        ErrorCode::illegal_transition));
  auto approved = store->decide_approval(
      ApprovalDecision{created.id, "director", true, "fine", Actor{"dora", "api"}, std::nullopt});
  BOOST_TEST_REQUIRE(is_ok(approved));
  BOOST_TEST(approved->complete);

  auto converted = store->convert_lead(ConvertLeadCommand{created.id, "", std::nullopt, Actor{"maria", "cli"}});
  BOOST_TEST_REQUIRE(is_ok(converted), (converted ? "" : converted.error().message));
  BOOST_TEST(converted->status == LeadStatus::converted);
  BOOST_TEST(converted->opportunity_ref == "OPP-" + created.id.to_string());
  BOOST_TEST(fails_with(change(created.id, R"({"subject":"x"})"), ErrorCode::locked));
  auto events = store->read_outbox(1000);
  BOOST_TEST_REQUIRE(is_ok(events));
  BOOST_TEST(events->back().json.find("\"type\":\"lead.converted\"") != std::string::npos);
  const auto audit = store->read_audit(created.id);
  BOOST_TEST_REQUIRE(is_ok(audit));
  int decisions = 0;
  for (const auto& e : *audit) decisions += e.action == "approved" || e.action == "rejected";
  BOOST_TEST(decisions == 3);
}

BOOST_AUTO_TEST_CASE(convert_needs_a_qualified_or_accepted_lead) {
  const Lead small = create(person("Small", "small@example.com"));
  BOOST_TEST(fails_with(store->convert_lead(ConvertLeadCommand{small.id, "", std::nullopt, Actor{}}),
                        ErrorCode::illegal_transition));
  must_change(small.id, R"({"status":"in_process"})");
  must_change(small.id, R"({"status":"qualified"})");
  auto converted = store->convert_lead(ConvertLeadCommand{small.id, "OPP-42", std::nullopt, Actor{}});
  BOOST_TEST_REQUIRE(is_ok(converted));
  BOOST_TEST(converted->opportunity_ref == "OPP-42");
  BOOST_TEST(converted->version == small.version + 4);  // in_process, qualified, accepted, converted
  BOOST_TEST(fails_with(store->convert_lead(ConvertLeadCommand{small.id, "", std::nullopt, Actor{}}),
                        ErrorCode::locked));  // converted is locked, as for a change
}

BOOST_AUTO_TEST_SUITE_END()
