#include "json/lead_fields.hpp"

#include <array>
#include <vector>

#include "model/limits.hpp"

namespace leadhub::json {
namespace {

Path field_path(std::string_view path) { return Path{nullptr, path}; }

template <typename E>
void set_enum(std::string_view path, std::string_view text, DecodeContext& ctx, E& out) {
  enum_from_text(text, field_path(path), ctx, out);
}

template <typename E>
void set_enum(std::string_view path, std::string_view text, DecodeContext& ctx, std::optional<E>& out) {
  E value{};
  if (enum_from_text(text, field_path(path), ctx, value)) out = value;
}

void set_id(std::string_view path, std::string_view text, DecodeContext& ctx, RecordId& out) {
  id_from_text(text, field_path(path), ctx, out);
}

#define LEADHUB_TEXT_FIELD(path_text, member)                                                        \
  LeadField {                                                                                        \
    path_text, FieldForm::text,                                                                      \
        [](Lead& l, std::string_view, std::string&& v, DecodeContext&) { l.member = std::move(v); }, \
        [](const Lead& l, std::string_view) { return l.member; }                                     \
  }

const std::array<LeadField, 32> kFields = {{
    LEADHUB_TEXT_FIELD("subject", subject),
    {"status", FieldForm::text,
     [](Lead& l, std::string_view p, std::string&& v, DecodeContext& c) { set_enum(p, v, c, l.status); }, nullptr},
    {"qualification", FieldForm::text,
     [](Lead& l, std::string_view p, std::string&& v, DecodeContext& c) { set_enum(p, v, c, l.qualification); },
     nullptr},
    {"priority", FieldForm::text,
     [](Lead& l, std::string_view p, std::string&& v, DecodeContext& c) { set_enum(p, v, c, l.priority); }, nullptr},
    {"score", FieldForm::whole_number,
     [](Lead& l, std::string_view p, std::string&& v, DecodeContext& c) {
       std::uint64_t score = 0;
       if (whole_number_from_text(v, field_path(p), c, 100, score)) l.score = static_cast<std::uint8_t>(score);
     },
     nullptr},
    {"source", FieldForm::text,
     [](Lead& l, std::string_view p, std::string&& v, DecodeContext& c) { set_enum(p, v, c, l.source); }, nullptr},
    LEADHUB_TEXT_FIELD("campaign", campaign),
    {"prospect.kind", FieldForm::text,
     [](Lead& l, std::string_view p, std::string&& v, DecodeContext& c) { set_enum(p, v, c, l.prospect.kind); },
     nullptr},
    {"prospect.partner_id", FieldForm::text,
     [](Lead& l, std::string_view p, std::string&& v, DecodeContext& c) { set_id(p, v, c, l.prospect.partner_id); },
     nullptr},
    LEADHUB_TEXT_FIELD("prospect.company", prospect.company),
    LEADHUB_TEXT_FIELD("prospect.given_name", prospect.given_name),
    LEADHUB_TEXT_FIELD("prospect.family_name", prospect.family_name),
    LEADHUB_TEXT_FIELD("prospect.email", prospect.email),
    LEADHUB_TEXT_FIELD("prospect.phone", prospect.phone),
    LEADHUB_TEXT_FIELD("prospect.language", prospect.language),
    LEADHUB_TEXT_FIELD("prospect.address.street", prospect.address.street),
    LEADHUB_TEXT_FIELD("prospect.address.postal_code", prospect.address.postal_code),
    LEADHUB_TEXT_FIELD("prospect.address.city", prospect.address.city),
    LEADHUB_TEXT_FIELD("prospect.address.region", prospect.address.region),
    LEADHUB_TEXT_FIELD("prospect.address.country", prospect.address.country),
    LEADHUB_TEXT_FIELD("expected_value.amount", expected_value.amount),
    LEADHUB_TEXT_FIELD("expected_value.currency", expected_value.currency),
    LEADHUB_TEXT_FIELD("owner.channel", owner.channel),
    LEADHUB_TEXT_FIELD("owner.assignee", owner.assignee),
    {"consent.marketing", FieldForm::boolean,
     [](Lead& l, std::string_view p, std::string&& v, DecodeContext& c) {
       bool flag = false;
       if (bool_from_text(v, field_path(p), c, flag)) l.consent.marketing = flag;
     },
     nullptr},
    {"consent.at", FieldForm::text,
     [](Lead& l, std::string_view p, std::string&& v, DecodeContext& c) {
       TimeMs at = 0;
       if (timestamp_from_text(v, field_path(p), c, at)) l.consent.at = at;
     },
     nullptr},
    LEADHUB_TEXT_FIELD("consent.text", consent.text),
    LEADHUB_TEXT_FIELD("follow_up", follow_up),
    LEADHUB_TEXT_FIELD("reason", reason),
    LEADHUB_TEXT_FIELD("opportunity_ref", opportunity_ref),
    {"duplicate_of", FieldForm::text,
     [](Lead& l, std::string_view p, std::string&& v, DecodeContext& c) { set_id(p, v, c, l.duplicate_of); }, nullptr},
    {"attributes.", FieldForm::text,
     [](Lead& l, std::string_view p, std::string&& v, DecodeContext&) {
       l.attributes[std::string(p.substr(11))] = std::move(v);
     },
     [](const Lead& l, std::string_view p) {
       const auto it = l.attributes.find(std::string(p.substr(11)));
       return it == l.attributes.end() ? std::string() : it->second;
     }},
}};

#undef LEADHUB_TEXT_FIELD

// The item at `index`, added (with the model's defaults) when the group is shorter.
template <typename T>
T& item(std::vector<T>& items, std::size_t index) {
  if (items.size() <= index) items.resize(index + 1);
  return items[index];
}

#define LEADHUB_ITEM_TEXT(group_name, member_name)                               \
  LeadItemField {                                                                \
#group_name, #member_name, FieldForm::text,                                  \
        [](Lead & l, std::size_t i, std::string && v, const Path&,               \
           DecodeContext&) { item(l.group_name, i).member_name = std::move(v); } \
  }

const std::array<LeadItemField, 12> kItemFields = {{
    LEADHUB_ITEM_TEXT(interests, product),
    {"interests", "quantity", FieldForm::whole_number,
     [](Lead& l, std::size_t i, std::string&& v, const Path& p, DecodeContext& c) {
       std::uint64_t quantity = 0;
       auto& interest = item(l.interests, i);
       if (whole_number_from_text(v, p, c, limits::kMaxQuantity, quantity))
         interest.quantity = static_cast<std::uint32_t>(quantity);
     }},
    LEADHUB_ITEM_TEXT(external_refs, system),
    LEADHUB_ITEM_TEXT(external_refs, id),
    {"notes", "at", FieldForm::text,
     [](Lead& l, std::size_t i, std::string&& v, const Path& p, DecodeContext& c) {
       timestamp_from_text(v, p, c, item(l.notes, i).at);
     }},
    LEADHUB_ITEM_TEXT(notes, author),
    LEADHUB_ITEM_TEXT(notes, text),
    LEADHUB_ITEM_TEXT(attachments, name),
    LEADHUB_ITEM_TEXT(attachments, media_type),
    {"attachments", "size", FieldForm::whole_number,
     [](Lead& l, std::size_t i, std::string&& v, const Path& p, DecodeContext& c) {
       whole_number_from_text(v, p, c, UINT64_MAX, item(l.attachments, i).size);
     }},
    LEADHUB_ITEM_TEXT(attachments, sha256),
    LEADHUB_ITEM_TEXT(attachments, uri),
}};

#undef LEADHUB_ITEM_TEXT

}  // namespace

const LeadField* find_lead_field(std::string_view path) {
  if (path.rfind("attributes.", 0) == 0) return path.size() > 11 ? &kFields.back() : nullptr;
  for (const auto& f : kFields) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

const LeadItemField* find_lead_item_field(std::string_view group, std::string_view member) {
  for (const auto& f : kItemFields) {
    if (f.group == group && f.member == member) return &f;
  }
  return nullptr;
}

bool is_lead_group(std::string_view group) {
  for (const auto& f : kItemFields) {
    if (f.group == group) return true;
  }
  return false;
}

}  // namespace leadhub::json
