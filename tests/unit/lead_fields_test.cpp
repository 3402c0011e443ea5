// json/lead_fields: setting a field from text gives the same lead, and the same
// errors, as decoding the same value from a JSON document. The mapping engine
// builds every created lead through this table, so any drift would change what a
// mapped record stores or how it is refused.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "json/json_writer.hpp"
#include "json/lead_fields.hpp"
#include "json/record_json.hpp"

using namespace leadhub;

namespace {

const std::vector<std::string_view> kPaths = {"subject",
                                              "status",
                                              "qualification",
                                              "priority",
                                              "score",
                                              "source",
                                              "campaign",
                                              "prospect.kind",
                                              "prospect.partner_id",
                                              "prospect.company",
                                              "prospect.email",
                                              "prospect.address.city",
                                              "prospect.address.country",
                                              "expected_value.amount",
                                              "expected_value.currency",
                                              "owner.channel",
                                              "consent.marketing",
                                              "consent.at",
                                              "consent.text",
                                              "follow_up",
                                              "reason",
                                              "duplicate_of",
                                              "attributes.utm.source"};

const std::vector<std::string> kTexts = {"open",
                                         "hot",
                                         "person",
                                         "80",
                                         "080",
                                         "101",
                                         "abc",
                                         "true",
                                         "ja",
                                         "x y",
                                         "Müller",
                                         "2026-11-22T10:00:00Z",
                                         "22.11.2026",
                                         "1234.50",
                                         RecordId(0x0123456789ABCDEFULL).to_string(),
                                         "1234567890123456789"};

// The value as the mapping writes it into JSON for a field of this form.
void write_value(JsonWriter& w, std::string_view text, json::FieldForm form) {
  const bool digits = !text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == text.npos;
  if (form == json::FieldForm::whole_number && digits)
    w.raw(std::to_string(std::stoull(std::string(text))));
  else if (form == json::FieldForm::boolean && (text == "true" || text == "false"))
    w.raw(text);
  else
    w.value(text);
}

// {"prospect":{"address":{"city":"x"}}} for "prospect.address.city" (an attribute's name keeps its dots).
std::string document_for(std::string_view path, std::string_view text, json::FieldForm form) {
  std::string out;
  JsonWriter w(out);
  std::vector<std::string_view> names;
  while (true) {
    const auto dot = path.find('.');
    if (dot == path.npos || (!names.empty() && names.back() == "attributes")) break;
    names.push_back(path.substr(0, dot));
    path.remove_prefix(dot + 1);
  }
  w.begin_object();
  for (auto name : names) w.key(name).begin_object();
  w.key(path);
  write_value(w, text, form);
  for (std::size_t i = 0; i < names.size(); ++i) w.end_object();
  w.end_object();
  return out;
}

std::string errors_text(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.field + ": " + e.reason + "\n";
  return out;
}

void expect_same_as_decoding(const std::string& document, const Lead& direct, const json::DecodeContext& ctx) {
  // Stored mode: the decode errors alone. Input mode adds the model's rule errors
  // of the rest (a lead of one member has no prospect), which a mapped field's set
  // leaves to the validation after it. No mapped field is a read-only member.
  auto decoded = lead_from_json(document, DecodeMode::stored);
  if (decoded) {
    BOOST_TEST(ctx.errors.empty(), document << " -> " << errors_text(ctx.errors));
    BOOST_TEST((direct == *decoded), document << " -> " << to_json(direct) << " vs " << to_json(*decoded));
  } else {
    BOOST_TEST(errors_text(ctx.errors) == errors_text(decoded.error().fields), document);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lead_fields)

BOOST_AUTO_TEST_CASE(each_field_takes_text_as_decoding_its_json_would) {
  for (const auto path : kPaths) {
    const json::LeadField* field = json::find_lead_field(path);
    BOOST_TEST_REQUIRE(field != nullptr, path);
    for (const auto& text : kTexts) {
      Lead direct;
      json::DecodeContext ctx;
      field->set(direct, path, std::string(text), ctx);
      expect_same_as_decoding(document_for(path, text, field->form), direct, ctx);
      if (field->get != nullptr && ctx.errors.empty()) BOOST_TEST(field->get(direct, path) == text, path);
    }
  }
}

BOOST_AUTO_TEST_CASE(each_group_member_takes_text_as_decoding_its_json_would) {
  const std::vector<std::pair<std::string_view, std::string_view>> members = {
      {"interests", "product"}, {"interests", "quantity"}, {"external_refs", "system"}, {"external_refs", "id"},
      {"notes", "at"},          {"notes", "text"},         {"attachments", "size"},     {"attachments", "uri"}};
  for (const auto& [group, member] : members) {
    const json::LeadItemField* field = json::find_lead_item_field(group, member);
    BOOST_TEST_REQUIRE(field != nullptr, group << "." << member);
    for (const auto& text : kTexts) {
      Lead direct;
      json::DecodeContext ctx;
      const json::Path group_path{nullptr, group};
      const json::Path item{&group_path, {}, 1};
      field->set(direct, 1, std::string(text), json::Path{&item, member}, ctx);  // the second item
      std::string document;
      JsonWriter w(document);
      w.begin_object().key(group).begin_array().begin_object().end_object().begin_object().key(member);
      write_value(w, text, field->form);
      w.end_object().end_array().end_object();
      expect_same_as_decoding(document, direct, ctx);
    }
  }
}

BOOST_AUTO_TEST_CASE(unknown_and_hub_owned_paths_have_no_field) {
  BOOST_TEST(json::find_lead_field("id") == nullptr);
  BOOST_TEST(json::find_lead_field("version") == nullptr);
  BOOST_TEST(json::find_lead_field("created_at") == nullptr);
  BOOST_TEST(json::find_lead_field("prospect") == nullptr);
  BOOST_TEST(json::find_lead_field("attributes.") == nullptr);
  BOOST_TEST(json::find_lead_item_field("interests", "price") == nullptr);
  BOOST_TEST(json::is_lead_group("notes"));
  BOOST_TEST(!json::is_lead_group("prospect"));
}

BOOST_AUTO_TEST_SUITE_END()
