// LeadStore: create and read, idempotency, external references, business
// partners, the audit entry of a creation, backup, and reopening.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <set>

#include "json/record_json.hpp"
#include "store/keys.hpp"
#include "store/store_format.hpp"
#include "store_support.hpp"

using namespace leadhub;
using namespace leadhub::test;

namespace {

Lead sample(const std::string& name, const std::string& email = {}) {
  Lead l = minimal_lead(name);
  l.prospect.email = email;
  return l;
}

// Sets the store format recorded in the closed store at `path`, with the plain
// LMDB API: what a later leadhub would have written.
void write_store_format(const std::string& path, std::uint64_t format) {
  MDB_env* env = nullptr;
  BOOST_TEST_REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 32);
  BOOST_TEST_REQUIRE(mdb_env_open(env, path.c_str(), 0, 0644) == 0);
  MDB_txn* txn = nullptr;
  MDB_dbi meta = 0;
  BOOST_TEST_REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  BOOST_TEST_REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
  const std::string value = store::be64(format);
  MDB_val k = store::to_val(store::kStoreFormatKey);
  MDB_val v = store::to_val(value);
  BOOST_TEST_REQUIRE(mdb_put(txn, meta, &k, &v, 0) == 0);
  BOOST_TEST_REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_basic, StoreFixture)

BOOST_AUTO_TEST_CASE(create_then_read) {
  Lead in = minimal_lead();
  in.subject = "  Heat pump  ";  // normalized on the way in
  in.prospect.address.country = "de";
  in.prospect.phone = "0049 30 123456";
  in.campaign = "spring";
  in.notes = {{kT0 - 5000, "jdoe", "first contact"}};
  auto r = store->create_lead(CreateLeadCommand{in, Actor{"maria", "web"}, {}});
  BOOST_TEST_REQUIRE(is_ok(r));
  BOOST_TEST(r->created);
  const Lead& created = r->record;
  BOOST_TEST(!created.id.empty());
  BOOST_TEST(created.id.time_ms() == kT0);
  BOOST_TEST(created.version == 1u);
  BOOST_TEST(created.subject == "Heat pump");
  BOOST_TEST(created.prospect.address.country == "DE");
  BOOST_TEST(created.prospect.phone == "+4930123456");
  BOOST_TEST(created.status == LeadStatus::open);
  BOOST_TEST(created.created_at == kT0);
  BOOST_TEST(created.changed_at == kT0);
  BOOST_TEST(created.status_changed_at == kT0);
  BOOST_TEST(created.created_by == "maria");
  BOOST_TEST(created.changed_by == "maria");

  const Lead read_back = read(created.id);
  BOOST_TEST((read_back == created));
  auto json = store->read_lead_json(created.id);
  BOOST_TEST_REQUIRE(is_ok(json));
  BOOST_TEST(*json == to_json(created));
  BOOST_TEST(r->json == *json);  // the stored encoding, handed back for answers

  const auto s = stats();
  BOOST_TEST(s.leads == 1u);
  BOOST_TEST(s.audit_entries == 1u);
  BOOST_TEST(s.idempotency_keys == 0u);
}

BOOST_AUTO_TEST_CASE(ids_increase_with_creation) {
  std::vector<RecordId> ids;
  for (int i = 0; i < 20; ++i) {
    if (i % 5 == 0) clock.advance_ms(3);
    ids.push_back(create(sample("N" + std::to_string(i))).id);
  }
  for (std::size_t i = 1; i < ids.size(); ++i) BOOST_TEST(ids[i] > ids[i - 1]);
}

BOOST_AUTO_TEST_CASE(read_unknown_lead) {
  const RecordId unknown(0x1234ULL << 22);
  BOOST_TEST(fails_with(store->read_lead(unknown), ErrorCode::not_found));
  BOOST_TEST(fails_with(store->read_lead_json(unknown), ErrorCode::not_found));
  BOOST_TEST(fails_with(store->read_audit(unknown), ErrorCode::not_found));
  BOOST_TEST(fails_with(store->read_partner(unknown), ErrorCode::not_found));
}

BOOST_AUTO_TEST_CASE(invalid_lead_is_refused_and_not_stored) {
  Lead bad = minimal_lead();
  bad.prospect.email = "nope";
  bad.prospect.address.country = "XX";
  auto r = store->create_lead(CreateLeadCommand{bad, {}, {}});
  BOOST_TEST_REQUIRE(fails_with(r, ErrorCode::invalid));
  BOOST_TEST(has_error(r.error().fields, "prospect.email", "not an e-mail address"));
  BOOST_TEST(has_error(r.error().fields, "prospect.address.country", "not an ISO 3166-1 alpha-2 country code"));

  Lead converted = minimal_lead();
  converted.status = LeadStatus::converted;
  auto c = store->create_lead(CreateLeadCommand{converted, {}, {}});
  BOOST_TEST_REQUIRE(fails_with(c, ErrorCode::invalid));
  BOOST_TEST(has_error(c.error().fields, "status", "a lead cannot be created as converted"));

  Lead declined = minimal_lead();
  declined.status = LeadStatus::declined;
  auto d = store->create_lead(CreateLeadCommand{declined, {}, {}});
  BOOST_TEST_REQUIRE(fails_with(d, ErrorCode::invalid));
  BOOST_TEST(has_error(d.error().fields, "reason", "required when status is declined"));

  auto k = store->create_lead(CreateLeadCommand{minimal_lead(), {}, std::string(256, 'k')});
  BOOST_TEST_REQUIRE(fails_with(k, ErrorCode::invalid));
  BOOST_TEST(has_error(k.error().fields, "idempotency_key", "longer than 255 bytes"));

  BOOST_TEST(stats().leads == 0u);
}

BOOST_AUTO_TEST_CASE(qualification_on_create_promotes) {
  Lead l = minimal_lead();
  l.qualification = Qualification::warm;
  const Lead created = create(l);
  BOOST_TEST(created.status == LeadStatus::qualified);
  BOOST_TEST(read(created.id).status == LeadStatus::qualified);
}

BOOST_AUTO_TEST_CASE(idempotency_key_returns_the_same_lead) {
  const Lead first = create(sample("First"), "req-1");
  Lead retry_body = sample("Different body");
  auto retry = store->create_lead(CreateLeadCommand{retry_body, {}, "req-1"});
  BOOST_TEST_REQUIRE(is_ok(retry));
  BOOST_TEST(!retry->created);
  BOOST_TEST(retry->record.id == first.id);
  BOOST_TEST(retry->record.prospect.family_name == "First");
  BOOST_TEST((retry->record == first));

  const Lead other = create(sample("Other"), "req-2");
  BOOST_TEST(other.id != first.id);
  const auto s = stats();
  BOOST_TEST(s.leads == 2u);
  BOOST_TEST(s.idempotency_keys == 2u);
  BOOST_TEST(s.audit_entries == 2u);  // the replay wrote no audit entry
}

BOOST_AUTO_TEST_CASE(idempotency_survives_reopen) {
  const Lead first = create(sample("First"), "req-1");
  reopen();
  auto retry = store->create_lead(CreateLeadCommand{sample("Again"), {}, "req-1"});
  BOOST_TEST_REQUIRE(is_ok(retry));
  BOOST_TEST(!retry->created);
  BOOST_TEST(retry->record.id == first.id);
}

BOOST_AUTO_TEST_CASE(same_external_reference_returns_the_existing_lead) {
  Lead a = sample("A");
  a.external_refs = {{"sap", "4711"}};
  const Lead stored = create(a);

  Lead b = sample("B");
  b.external_refs = {{"crm", "9"}, {"sap", "4711"}};
  auto again = store->create_lead(CreateLeadCommand{b, {}, {}});
  BOOST_TEST_REQUIRE(is_ok(again));
  BOOST_TEST(!again->created);
  BOOST_TEST(again->record.id == stored.id);
  BOOST_TEST(again->record.prospect.family_name == "A");

  Lead c = sample("C");
  c.external_refs = {{"sap", "4712"}};  // another id in the same system is another lead
  BOOST_TEST(create(c).id != stored.id);
  BOOST_TEST(stats().leads == 2u);
}

BOOST_AUTO_TEST_CASE(audit_entry_of_a_creation) {
  clock.set_ms(kT0 + 1234);
  auto r = store->create_lead(CreateLeadCommand{minimal_lead(), Actor{"maria", "sap"}, {}});
  BOOST_TEST_REQUIRE(is_ok(r));
  auto audit = store->read_audit(r->record.id);
  BOOST_TEST_REQUIRE(is_ok(audit));
  BOOST_TEST_REQUIRE(audit->size() == 1u);
  const AuditEntry& e = audit->front();
  BOOST_TEST(e.action == "created");
  BOOST_TEST(e.version == 1u);
  BOOST_TEST(e.user == "maria");
  BOOST_TEST(e.connector == "sap");
  BOOST_TEST(e.at == kT0 + 1234);
  BOOST_TEST(e.field.empty());
}

BOOST_AUTO_TEST_CASE(partner_create_read_and_idempotency) {
  BusinessPartner p;
  p.kind = PartnerKind::account;
  p.company = " ACME GmbH ";
  p.email = "info@acme.example";
  p.address.country = "de";
  auto r = store->create_partner(CreatePartnerCommand{p, Actor{"maria", "cli"}, "p-1"});
  BOOST_TEST_REQUIRE(is_ok(r));
  BOOST_TEST(r->created);
  const BusinessPartner& created = r->record;
  BOOST_TEST(!created.id.empty());
  BOOST_TEST(created.version == 1u);
  BOOST_TEST(created.company == "ACME GmbH");
  BOOST_TEST(created.address.country == "DE");
  BOOST_TEST(created.created_at == kT0);
  BOOST_TEST(created.created_by == "maria");

  auto read_back = store->read_partner(created.id);
  BOOST_TEST_REQUIRE(is_ok(read_back));
  BOOST_TEST((*read_back == created));

  BusinessPartner other = p;
  other.company = "Something else";
  auto replay = store->create_partner(CreatePartnerCommand{other, {}, "p-1"});
  BOOST_TEST_REQUIRE(is_ok(replay));
  BOOST_TEST(!replay->created);
  BOOST_TEST(replay->record.id == created.id);
  BOOST_TEST(replay->record.company == "ACME GmbH");
  BOOST_TEST(stats().partners == 1u);
}

BOOST_AUTO_TEST_CASE(partner_external_reference_dedupes) {
  BusinessPartner p;
  p.kind = PartnerKind::contact;
  p.family_name = "Doe";
  p.external_refs = {{"sap", "BP-1"}};
  auto first = store->create_partner(CreatePartnerCommand{p, {}, {}});
  BOOST_TEST_REQUIRE(is_ok(first));
  p.family_name = "Doe-Smith";
  auto second = store->create_partner(CreatePartnerCommand{p, {}, {}});
  BOOST_TEST_REQUIRE(is_ok(second));
  BOOST_TEST(!second->created);
  BOOST_TEST(second->record.id == first->record.id);
  BOOST_TEST(stats().partners == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_partner_refused) {
  BusinessPartner p;
  p.kind = PartnerKind::account;
  p.family_name = "Doe";
  auto r = store->create_partner(CreatePartnerCommand{p, {}, {}});
  BOOST_TEST_REQUIRE(fails_with(r, ErrorCode::invalid));
  BOOST_TEST(has_error(r.error().fields, "company", "required for an account"));
  BOOST_TEST(stats().partners == 0u);
}

BOOST_AUTO_TEST_CASE(prospect_partner_id_must_exist) {
  Lead l = minimal_lead();
  l.prospect.partner_id = RecordId(0x77777ULL << 22);
  auto r = store->create_lead(CreateLeadCommand{l, {}, {}});
  BOOST_TEST_REQUIRE(fails_with(r, ErrorCode::invalid));
  BOOST_TEST(has_error(r.error().fields, "prospect.partner_id",
                       "no business partner with id " + l.prospect.partner_id.to_string()));
  BOOST_TEST(stats().leads == 0u);

  BusinessPartner p;
  p.kind = PartnerKind::account;
  p.company = "ACME";
  auto partner = store->create_partner(CreatePartnerCommand{p, {}, {}});
  BOOST_TEST_REQUIRE(is_ok(partner));
  l.prospect.partner_id = partner->record.id;
  const Lead created = create(l);
  BOOST_TEST(read(created.id).prospect.partner_id == partner->record.id);
}

BOOST_AUTO_TEST_CASE(stats_count_leads_by_status) {
  create(sample("A"));
  create(sample("B"));
  Lead q = sample("C");
  q.qualification = Qualification::hot;
  create(q);
  Lead d = sample("D");
  d.status = LeadStatus::declined;
  d.reason = "no budget";
  create(d);
  const auto s = stats();
  BOOST_TEST(s.leads == 4u);
  std::map<std::string, std::uint64_t> by_status(s.leads_by_status.begin(), s.leads_by_status.end());
  BOOST_TEST(by_status.size() == 7u);
  BOOST_TEST(by_status["open"] == 2u);
  BOOST_TEST(by_status["qualified"] == 1u);
  BOOST_TEST(by_status["declined"] == 1u);
  BOOST_TEST(by_status["closed"] == 0u);
  BOOST_TEST(s.map_size >= (std::uint64_t{64} << 20));
  BOOST_TEST(s.used_bytes > 0u);
  BOOST_TEST(s.commits >= 4u);
}

BOOST_AUTO_TEST_CASE(for_each_lead_json_walks_in_id_order) {
  std::vector<Lead> in;
  for (int i = 0; i < 30; ++i) in.push_back(sample("L" + std::to_string(i)));
  const auto created = create_many(in);
  std::vector<RecordId> seen;
  BOOST_TEST(is_ok(store->for_each_lead_json([&](std::string_view json) {
    auto l = lead_from_json(json, DecodeMode::stored);
    BOOST_TEST_REQUIRE(is_ok(l));
    seen.push_back(l->id);
    return true;
  })));
  auto expected = ids_of(created);
  std::sort(expected.begin(), expected.end());
  BOOST_TEST((seen == expected));
  int n = 0;
  BOOST_TEST(is_ok(store->for_each_lead_json([&](std::string_view) { return ++n < 5; })));
  BOOST_TEST(n == 5);
}

BOOST_AUTO_TEST_CASE(backup_then_open_the_copy) {
  std::vector<Lead> in;
  for (int i = 0; i < 25; ++i) in.push_back(sample("B" + std::to_string(i), "b" + std::to_string(i) + "@x.de"));
  const auto created = create_many(in);
  const Lead changed = must_change(created[3].id, R"({"subject":"changed before backup"})");

  const std::string target = dir.sub("backup");
  BOOST_TEST_REQUIRE(is_ok(store->backup(target)));
  BOOST_TEST(std::filesystem::exists(target + "/data.mdb"));
  // a second backup into the same folder is refused, not overwritten
  BOOST_TEST(fails_with(store->backup(target), ErrorCode::invalid));

  // writes after the backup do not show up in the copy
  create(sample("After backup"));

  StoreOptions o;
  o.path = target;
  o.map_size = std::size_t{16} << 20;
  o.clock = &clock;
  auto copy = LeadStore::open(o);
  BOOST_TEST_REQUIRE(is_ok(copy));
  for (const auto& l : created) {
    auto r = (*copy)->read_lead(l.id);
    BOOST_TEST_REQUIRE(is_ok(r));
    if (l.id == changed.id) {
      BOOST_TEST((*r == changed));
    } else {
      BOOST_TEST((*r == l));
    }
  }
  auto s = (*copy)->stats();
  BOOST_TEST_REQUIRE(is_ok(s));
  BOOST_TEST(s->leads == 25u);
  BOOST_TEST(s->audit_entries == 26u);
  // the copy's indexes work too
  LeadQuery q;
  q.email = "B7@X.DE";
  auto found = (*copy)->find_leads(q);
  BOOST_TEST_REQUIRE(is_ok(found));
  BOOST_TEST_REQUIRE(found->items.size() == 1u);
  BOOST_TEST(found->items[0].id == created[7].id);
  auto audit = (*copy)->read_audit(changed.id);
  BOOST_TEST_REQUIRE(is_ok(audit));
  BOOST_TEST(audit->size() == 2u);
}

BOOST_AUTO_TEST_CASE(reopen_keeps_data_and_ids_keep_increasing) {
  std::vector<RecordId> before;
  for (int i = 0; i < 5; ++i) before.push_back(create(sample("R" + std::to_string(i))).id);
  BusinessPartner p;
  p.kind = PartnerKind::account;
  p.company = "ACME";
  auto partner = store->create_partner(CreatePartnerCommand{p, {}, {}});
  BOOST_TEST_REQUIRE(is_ok(partner));
  const RecordId max_before = *std::max_element(before.begin(), before.end());

  // the clock stepped back an hour across the restart: ids must still increase
  clock.set_ms(kT0 - 3'600'000);
  reopen();
  for (const auto id : before) BOOST_TEST(read(id).id == id);
  const Lead next = create(sample("after reopen"));
  BOOST_TEST(next.id > max_before);
  auto next_partner = store->create_partner(CreatePartnerCommand{p, {}, {}});
  BOOST_TEST_REQUIRE(is_ok(next_partner));
  BOOST_TEST(next_partner->created);
  BOOST_TEST(next_partner->record.id > partner->record.id);
  auto old_partner = store->read_partner(partner->record.id);
  BOOST_TEST_REQUIRE(is_ok(old_partner));
  BOOST_TEST((*old_partner == partner->record));
  BOOST_TEST(stats().leads == 6u);

  // and again with the clock moving forward
  clock.set_ms(kT0 + 3'600'000);
  reopen();
  const Lead later = create(sample("later"));
  BOOST_TEST(later.id > next.id);
  BOOST_TEST(later.id.time_ms() == kT0 + 3'600'000);
}

BOOST_AUTO_TEST_CASE(a_store_of_a_later_format_is_refused_untouched) {
  const Lead kept = create(sample("kept"));
  BOOST_TEST(stats().format == store::kStoreFormat);  // a new store is marked
  store->close();
  store.reset();

  write_store_format(data_path(), store::kStoreFormat + 1);
  StoreOptions o;
  o.path = data_path();
  o.clock = &clock;
  auto refused = LeadStore::open(o);
  BOOST_TEST_REQUIRE(!is_ok(refused));
  BOOST_TEST(refused.error().code == ErrorCode::unavailable);
  BOOST_TEST(refused.error().message.find("is in format " + std::to_string(store::kStoreFormat + 1) +
                                          ", written by a newer leadhub") != std::string::npos,
             refused.error().message);

  // the store's own format again: it opens, with its lead
  write_store_format(data_path(), store::kStoreFormat);
  open();
  BOOST_TEST(read(kept.id).id == kept.id);
}

BOOST_AUTO_TEST_CASE(partition_is_carried_in_every_id) {
  TempDir other;
  StoreOptions o;
  o.path = other.sub("p5");
  o.map_size = std::size_t{16} << 20;
  o.partition = 5;
  o.clock = &clock;
  auto s5 = LeadStore::open(o);
  BOOST_TEST_REQUIRE(is_ok(s5));
  for (int i = 0; i < 3; ++i) {
    auto r = (*s5)->create_lead(CreateLeadCommand{sample("P" + std::to_string(i)), {}, {}});
    BOOST_TEST_REQUIRE(is_ok(r));
    BOOST_TEST(r->record.id.partition() == 5u);
    auto back = (*s5)->read_lead(r->record.id);
    BOOST_TEST_REQUIRE(is_ok(back));
    BOOST_TEST(back->id.partition() == 5u);
  }
  BusinessPartner p;
  p.kind = PartnerKind::account;
  p.company = "ACME";
  auto partner = (*s5)->create_partner(CreatePartnerCommand{p, {}, {}});
  BOOST_TEST_REQUIRE(is_ok(partner));
  BOOST_TEST(partner->record.id.partition() == 5u);
}

BOOST_AUTO_TEST_CASE(writes_after_close_are_refused) {
  create(sample("A"));
  store->close();
  auto r = store->create_lead(CreateLeadCommand{sample("B"), {}, {}});
  BOOST_TEST(fails_with(r, ErrorCode::unavailable));
  store->close();  // closing twice is harmless
}

BOOST_AUTO_TEST_SUITE_END()
