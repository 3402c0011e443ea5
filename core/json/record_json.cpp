#include "json/record_json.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>

#include "json/decode.hpp"
#include "model/limits.hpp"
#include "model/validation.hpp"
#include "util/time_format.hpp"

namespace leadhub {
namespace {

using json::DecodeContext;
using json::Element;
using json::member_path;

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// ---- shared pieces --------------------------------------------------------------

void put_if(JsonWriter& w, std::string_view name, const std::string& value) {
  if (!value.empty()) w.key_identifier(name).value(value);
}

void write_address(JsonWriter& w, const Address& a) {
  w.begin_object();
  put_if(w, "street", a.street);
  put_if(w, "postal_code", a.postal_code);
  put_if(w, "city", a.city);
  put_if(w, "region", a.region);
  put_if(w, "country", a.country);
  w.end_object();
}

void write_refs(JsonWriter& w, const std::vector<ExternalRef>& refs) {
  w.begin_array();
  for (const auto& r : refs)
    w.begin_object().key_identifier("system").value(r.system).key_identifier("id").value(r.id).end_object();
  w.end_array();
}

void read_address(Element el, const json::Path& path, DecodeContext& ctx, Address& a) {
  json::for_each_member(
      el, path, ctx, [&] { a = Address{}; },
      [&](std::string_view name, Element v) {
        const auto p = member_path(path, name);
        if (json::named(name, "street"))
          json::read_string(v, p, ctx, a.street);
        else if (json::named(name, "postal_code"))
          json::read_string(v, p, ctx, a.postal_code);
        else if (json::named(name, "city"))
          json::read_string(v, p, ctx, a.city);
        else if (json::named(name, "region"))
          json::read_string(v, p, ctx, a.region);
        else if (json::named(name, "country"))
          json::read_string(v, p, ctx, a.country);
        else
          ctx.fail(p, json::unknown_field(name, {"street", "postal_code", "city", "region", "country"}));
      });
}

// The members read_contact_member reads, and "unknown field" for an object that has
// them besides its own.
constexpr std::array<std::string_view, 6> kContactMembers = {"company", "given_name", "family_name",
                                                             "email",   "phone",      "address"};

std::string unknown_contact_field(std::string_view name, std::initializer_list<std::string_view> own) {
  std::vector<std::string_view> known(own);
  known.insert(known.end(), kContactMembers.begin(), kContactMembers.end());
  return json::unknown_field(name, known);
}

// The contact members a prospect and a business partner share; false when `name`
// is none of them.
template <typename Contact>
bool read_contact_member(std::string_view name, Element v, const json::Path& f, DecodeContext& ctx, Contact& c) {
  if (json::named(name, "company"))
    json::read_string(v, f, ctx, c.company);
  else if (json::named(name, "given_name"))
    json::read_string(v, f, ctx, c.given_name);
  else if (json::named(name, "family_name"))
    json::read_string(v, f, ctx, c.family_name);
  else if (json::named(name, "email"))
    json::read_string(v, f, ctx, c.email);
  else if (json::named(name, "phone"))
    json::read_string(v, f, ctx, c.phone);
  else if (json::named(name, "address"))
    read_address(v, f, ctx, c.address);
  else
    return false;
  return true;
}

void read_refs(Element el, const json::Path& path, DecodeContext& ctx, std::vector<ExternalRef>& refs) {
  json::read_array<ExternalRef>(el, path, ctx, refs, [&](Element item, const json::Path& p, ExternalRef& r) {
    json::for_each_member(
        item, p, ctx, [] {},
        [&](std::string_view name, Element v) {
          if (json::named(name, "system"))
            json::read_string(v, member_path(p, name), ctx, r.system);
          else if (json::named(name, "id"))
            json::read_string(v, member_path(p, name), ctx, r.id);
          else
            ctx.fail(member_path(p, name), json::unknown_field(name, {"system", "id"}));
        });
  });
}

// ---- lead members: one table drives encoding, decoding and audit diffs -------------

struct LeadMember {
  std::string_view name;
  bool read_only;
  std::function<bool(const Lead&)> present;
  std::function<void(JsonWriter&, const Lead&)> write;
  std::function<void(Element, const json::Path&, DecodeContext&, Lead&)> read;
};

void write_prospect(JsonWriter& w, const Prospect& p) {
  w.begin_object();
  if (p.kind) w.key_identifier("kind").value(to_string(*p.kind));
  if (!p.partner_id.empty()) w.key_identifier("partner_id").value(p.partner_id.to_string());
  put_if(w, "company", p.company);
  put_if(w, "given_name", p.given_name);
  put_if(w, "family_name", p.family_name);
  put_if(w, "email", p.email);
  put_if(w, "phone", p.phone);
  put_if(w, "language", p.language);
  if (!p.address.empty()) {
    w.key_identifier("address");
    write_address(w, p.address);
  }
  w.end_object();
}

void read_prospect(Element el, const json::Path& path, DecodeContext& ctx, Prospect& p) {
  json::for_each_member(
      el, path, ctx, [&] { p = Prospect{}; },
      [&](std::string_view name, Element v) {
        const auto f = member_path(path, name);
        if (json::named(name, "kind"))
          json::read_enum(v, f, ctx, p.kind);
        else if (json::named(name, "partner_id"))
          json::read_id(v, f, ctx, p.partner_id);
        else if (json::named(name, "language"))
          json::read_string(v, f, ctx, p.language);
        else if (!read_contact_member(name, v, f, ctx, p))
          ctx.fail(f, unknown_contact_field(name, {"kind", "partner_id", "language"}));
      });
}

void read_interests(Element el, const json::Path& path, DecodeContext& ctx, std::vector<Interest>& out) {
  json::read_array<Interest>(el, path, ctx, out, [&](Element item, const json::Path& p, Interest& i) {
    json::for_each_member(
        item, p, ctx, [] {},
        [&](std::string_view name, Element v) {
          std::uint64_t qty = i.quantity;
          if (json::named(name, "product"))
            json::read_string(v, member_path(p, name), ctx, i.product);
          else if (json::named(name, "quantity")) {
            json::read_uint(v, member_path(p, name), ctx, limits::kMaxQuantity, qty);
            i.quantity = static_cast<std::uint32_t>(qty);
          } else
            ctx.fail(member_path(p, name), json::unknown_field(name, {"product", "quantity"}));
        });
  });
}

void read_notes(Element el, const json::Path& path, DecodeContext& ctx, std::vector<Note>& out) {
  json::read_array<Note>(el, path, ctx, out, [&](Element item, const json::Path& p, Note& n) {
    json::for_each_member(
        item, p, ctx, [] {},
        [&](std::string_view name, Element v) {
          if (json::named(name, "at"))
            json::read_timestamp(v, member_path(p, name), ctx, n.at);
          else if (json::named(name, "author"))
            json::read_string(v, member_path(p, name), ctx, n.author);
          else if (json::named(name, "text"))
            json::read_string(v, member_path(p, name), ctx, n.text);
          else
            ctx.fail(member_path(p, name), json::unknown_field(name, {"at", "author", "text"}));
        });
  });
}

void read_attachments(Element el, const json::Path& path, DecodeContext& ctx, std::vector<Attachment>& out) {
  json::read_array<Attachment>(el, path, ctx, out, [&](Element item, const json::Path& p, Attachment& a) {
    json::for_each_member(
        item, p, ctx, [] {},
        [&](std::string_view name, Element v) {
          const auto f = member_path(p, name);
          if (json::named(name, "name"))
            json::read_string(v, f, ctx, a.name);
          else if (json::named(name, "media_type"))
            json::read_string(v, f, ctx, a.media_type);
          else if (json::named(name, "size"))
            json::read_uint(v, f, ctx, UINT64_MAX, a.size);
          else if (json::named(name, "sha256"))
            json::read_string(v, f, ctx, a.sha256);
          else if (json::named(name, "uri"))
            json::read_string(v, f, ctx, a.uri);
          else
            ctx.fail(f, json::unknown_field(name, {"name", "media_type", "size", "sha256", "uri"}));
        });
  });
}

#define LEADHUB_TEXT_MEMBER(field)                                                       \
  LeadMember {                                                                           \
#field, false, [](const Lead& l) { return !l.field.empty(); },                         \
        [](JsonWriter& w, const Lead& l) { w.value(l.field); },                            \
        [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { json::read_string(v, p, c, l.field); } \
  }

#define LEADHUB_TIME_MEMBER(field)                                                       \
  LeadMember {                                                                           \
#field, true, [](const Lead& l) { return l.field != 0; },                              \
        [](JsonWriter& w, const Lead& l) { w.value(format_timestamp(l.field)); },          \
        [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { json::read_timestamp(v, p, c, l.field); } \
  }

const std::vector<LeadMember>& lead_members() {
  static const std::vector<LeadMember> kMembers = {
      {"id", true, [](const Lead& l) { return !l.id.empty(); },
       [](JsonWriter& w, const Lead& l) { w.value(l.id.to_string()); },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { json::read_id(v, p, c, l.id); }},
      {"version", true, [](const Lead& l) { return l.version != 0; },
       [](JsonWriter& w, const Lead& l) { w.value(l.version); },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) {
         json::read_uint(v, p, c, UINT64_MAX, l.version);
       }},
      LEADHUB_TEXT_MEMBER(subject),
      {"status", false, [](const Lead&) { return true; },
       [](JsonWriter& w, const Lead& l) { w.value(to_string(l.status)); },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) {
         json::read_enum(v, p, c, l.status, LeadStatus::open);
       }},
      {"qualification", false, [](const Lead& l) { return l.qualification.has_value(); },
       [](JsonWriter& w, const Lead& l) { w.value(to_string(*l.qualification)); },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { json::read_enum(v, p, c, l.qualification); }},
      {"priority", false, [](const Lead&) { return true; },
       [](JsonWriter& w, const Lead& l) { w.value(to_string(l.priority)); },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) {
         json::read_enum(v, p, c, l.priority, Priority::normal);
       }},
      {"score", false, [](const Lead& l) { return l.score.has_value(); },
       [](JsonWriter& w, const Lead& l) { w.value(static_cast<unsigned>(*l.score)); },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) {
         if (v.is_null()) {
           l.score.reset();
           return;
         }
         std::uint64_t s = 0;
         const auto before = c.errors.size();
         json::read_uint(v, p, c, 100, s);
         if (c.errors.size() == before) l.score = static_cast<std::uint8_t>(s);
       }},
      {"source", false, [](const Lead&) { return true; },
       [](JsonWriter& w, const Lead& l) { w.value(to_string(l.source)); },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) {
         json::read_enum(v, p, c, l.source, LeadSource::api);
       }},
      LEADHUB_TEXT_MEMBER(campaign),
      {"external_refs", false, [](const Lead& l) { return !l.external_refs.empty(); },
       [](JsonWriter& w, const Lead& l) { write_refs(w, l.external_refs); },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { read_refs(v, p, c, l.external_refs); }},
      {"prospect", false, [](const Lead& l) { return !l.prospect.empty(); },
       [](JsonWriter& w, const Lead& l) { write_prospect(w, l.prospect); },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { read_prospect(v, p, c, l.prospect); }},
      {"interests", false, [](const Lead& l) { return !l.interests.empty(); },
       [](JsonWriter& w, const Lead& l) {
         w.begin_array();
         for (const auto& i : l.interests) {
           w.begin_object()
               .key_identifier("product")
               .value(i.product)
               .key_identifier("quantity")
               .value(i.quantity)
               .end_object();
         }
         w.end_array();
       },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { read_interests(v, p, c, l.interests); }},
      {"expected_value", false, [](const Lead& l) { return !l.expected_value.empty(); },
       [](JsonWriter& w, const Lead& l) {
         w.begin_object();
         put_if(w, "amount", l.expected_value.amount);
         put_if(w, "currency", l.expected_value.currency);
         w.end_object();
       },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) {
         auto& m = l.expected_value;
         json::for_each_member(
             v, p, c, [&] { m = Money{}; },
             [&](std::string_view name, Element x) {
               if (json::named(name, "amount"))
                 json::read_decimal_text(x, member_path(p, name), c, m.amount);
               else if (json::named(name, "currency"))
                 json::read_string(x, member_path(p, name), c, m.currency);
               else
                 c.fail(member_path(p, name), json::unknown_field(name, {"amount", "currency"}));
             });
       }},
      {"owner", false, [](const Lead& l) { return !l.owner.empty(); },
       [](JsonWriter& w, const Lead& l) {
         w.begin_object();
         put_if(w, "channel", l.owner.channel);
         put_if(w, "assignee", l.owner.assignee);
         w.end_object();
       },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) {
         auto& o = l.owner;
         json::for_each_member(
             v, p, c, [&] { o = Owner{}; },
             [&](std::string_view name, Element x) {
               if (json::named(name, "channel"))
                 json::read_string(x, member_path(p, name), c, o.channel);
               else if (json::named(name, "assignee"))
                 json::read_string(x, member_path(p, name), c, o.assignee);
               else
                 c.fail(member_path(p, name), json::unknown_field(name, {"channel", "assignee"}));
             });
       }},
      {"consent", false, [](const Lead& l) { return !l.consent.empty(); },
       [](JsonWriter& w, const Lead& l) {
         w.begin_object();
         if (l.consent.marketing) w.key_identifier("marketing").value(*l.consent.marketing);
         if (l.consent.at) w.key_identifier("at").value(format_timestamp(*l.consent.at));
         put_if(w, "text", l.consent.text);
         w.end_object();
       },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) {
         auto& k = l.consent;
         json::for_each_member(
             v, p, c, [&] { k = Consent{}; },
             [&](std::string_view name, Element x) {
               if (json::named(name, "marketing"))
                 json::read_bool(x, member_path(p, name), c, k.marketing);
               else if (json::named(name, "at"))
                 json::read_timestamp(x, member_path(p, name), c, k.at);
               else if (json::named(name, "text"))
                 json::read_string(x, member_path(p, name), c, k.text);
               else
                 c.fail(member_path(p, name), json::unknown_field(name, {"marketing", "at", "text"}));
             });
       }},
      {"notes", false, [](const Lead& l) { return !l.notes.empty(); },
       [](JsonWriter& w, const Lead& l) {
         w.begin_array();
         for (const auto& n : l.notes) {
           w.begin_object().key_identifier("at").value(format_timestamp(n.at));
           put_if(w, "author", n.author);
           w.key_identifier("text").value(n.text).end_object();
         }
         w.end_array();
       },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { read_notes(v, p, c, l.notes); }},
      {"attachments", false, [](const Lead& l) { return !l.attachments.empty(); },
       [](JsonWriter& w, const Lead& l) {
         w.begin_array();
         for (const auto& a : l.attachments) {
           w.begin_object().key_identifier("name").value(a.name);
           put_if(w, "media_type", a.media_type);
           w.key_identifier("size").value(a.size);
           put_if(w, "sha256", a.sha256);
           put_if(w, "uri", a.uri);
           w.end_object();
         }
         w.end_array();
       },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { read_attachments(v, p, c, l.attachments); }},
      LEADHUB_TEXT_MEMBER(follow_up),
      LEADHUB_TEXT_MEMBER(reason),
      LEADHUB_TEXT_MEMBER(opportunity_ref),
      {"duplicate_of", false, [](const Lead& l) { return !l.duplicate_of.empty(); },
       [](JsonWriter& w, const Lead& l) { w.value(l.duplicate_of.to_string()); },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { json::read_id(v, p, c, l.duplicate_of); }},
      {"attributes", false, [](const Lead& l) { return !l.attributes.empty(); },
       [](JsonWriter& w, const Lead& l) {
         w.begin_object();
         for (const auto& [k, v] : l.attributes) w.key(k).value(v);
         w.end_object();
       },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { json::read_string_map(v, p, c, l.attributes); }},
      LEADHUB_TIME_MEMBER(created_at),
      {"created_by", true, [](const Lead& l) { return !l.created_by.empty(); },
       [](JsonWriter& w, const Lead& l) { w.value(l.created_by); },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { json::read_string(v, p, c, l.created_by); }},
      LEADHUB_TIME_MEMBER(changed_at),
      {"changed_by", true, [](const Lead& l) { return !l.changed_by.empty(); },
       [](JsonWriter& w, const Lead& l) { w.value(l.changed_by); },
       [](Element v, const json::Path& p, DecodeContext& c, Lead& l) { json::read_string(v, p, c, l.changed_by); }},
      LEADHUB_TIME_MEMBER(status_changed_at),
  };
  return kMembers;
}

#undef LEADHUB_TEXT_MEMBER
#undef LEADHUB_TIME_MEMBER

// By name: decoding looks up every member of every record. The names are bucketed
// by length and first letter, which leaves one candidate for most names and two for
// the *_at / *_by pairs; hashing the name cost more than the compares it saved.
const LeadMember* find_member(std::string_view name) {
  constexpr std::size_t kBucketCount = std::size_t{32} * 32;
  const auto bucket_of = [](std::string_view n) { return (n.size() % 32) * 32 + (n[0] & 31U); };
  static const auto kBuckets = [&] {
    std::array<std::vector<const LeadMember*>, kBucketCount> out;
    for (const auto& m : lead_members()) out[bucket_of(m.name)].push_back(&m);
    return out;
  }();
  if (name.empty()) return nullptr;
  for (const LeadMember* m : kBuckets[bucket_of(name)]) {
    if (m->name.size() == name.size() && std::memcmp(m->name.data(), name.data(), name.size()) == 0) return m;
  }
  return nullptr;
}

std::string member_json(const LeadMember& m, const Lead& lead) {
  std::string out;
  JsonWriter w(out);
  m.write(w, lead);
  return out;
}

const std::vector<std::string_view>& lead_member_names() {
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> out;
    for (const auto& m : lead_members()) out.push_back(m.name);
    return out;
  }();
  return kNames;
}

// Whether one field path is the other or lies inside it ("prospect" and
// "prospect.email", "notes" and "notes[0].text").
bool overlaps(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  return b.substr(0, a.size()) == a && (b.size() == a.size() || b[a.size()] == '.' || b[a.size()] == '[');
}

// Decoding goes on past a member it cannot read; the model's rules then check what
// could be read, so one answer names every field at fault, not the decode errors
// first and the rule errors on the next try. A rule error on a field that could
// not be read (or inside or around it) would only repeat the decode error. New
// records only (input mode): the rules on a merge patch need the stored lead.
template <typename Record>
void add_rule_errors(Record record, std::vector<FieldError>& errors) {
  for (const auto& e : errors) {
    if (e.field == "(document)") return;  // nothing was read
  }
  normalize(record);
  const std::size_t decoded = errors.size();
  for (auto& rule : validate(record)) {
    const auto covered = [&](const FieldError& e) { return overlaps(e.field, rule.field); };
    if (std::none_of(errors.begin(), errors.begin() + static_cast<std::ptrdiff_t>(decoded), covered) &&
        std::none_of(errors.begin() + static_cast<std::ptrdiff_t>(decoded), errors.end(),
                     [&](const FieldError& e) { return e.field == rule.field && e.reason == rule.reason; })) {
      errors.push_back(std::move(rule));
    }
  }
}

// Decodes members of `doc` onto `lead`. In input mode a read-only member must
// repeat the current value.
Status decode_lead_members(Element doc, DecodeMode mode, Lead& lead) {
  DecodeContext ctx;
  ctx.mode = mode;
  json::for_each_member(
      doc, json::Path{}, ctx, [&] { ctx.fail("(document)", "expected an object"); },
      [&](std::string_view name, Element v) {
        const LeadMember* m = find_member(name);
        if (m == nullptr) {
          ctx.fail(name.empty() ? std::string("\"\"") : std::string(name),  // an empty name is shown quoted
                   json::unknown_field(name, lead_member_names()));
          return;
        }
        const bool guarded = mode == DecodeMode::input && m->read_only;
        const std::string before = guarded ? member_json(*m, lead) : std::string();
        m->read(v, json::Path{nullptr, name}, ctx, lead);
        if (guarded && member_json(*m, lead) != before) ctx.fail(std::string(name), "read-only: set by the hub");
      });
  if (!ctx.errors.empty()) return Error::invalid(std::move(ctx.errors));
  return ok_status();
}

}  // namespace

void write_json(JsonWriter& out, const Lead& lead) {
  out.begin_object();
  for (const auto& m : lead_members()) {
    if (!m.present(lead)) continue;
    out.key_identifier(m.name);
    m.write(out, lead);
  }
  out.end_object();
}

std::string to_json(const Lead& lead) {
  std::string out;
  out.reserve(1024);
  JsonWriter w(out);
  write_json(w, lead);
  return out;
}

std::vector<MemberJson> lead_members_json(const Lead& lead) {
  std::vector<MemberJson> out;
  for (const auto& m : lead_members()) {
    if (m.present(lead)) out.push_back({m.name, member_json(m, lead)});
  }
  return out;
}

Result<Lead> lead_from_json(std::string_view text, DecodeMode mode) {
  Lead lead;
  if (auto st = decode_lead(text, mode, lead); !st) return st.error();
  return lead;
}

Status decode_lead(std::string_view text, DecodeMode mode, Lead& into, PositionIn in) {
  auto doc = json::parse_document(text, thread_parser(), in);
  if (!doc) return doc.error();
  auto st = decode_lead_members(*doc, mode, into);
  if (!st && mode == DecodeMode::input) {
    auto fields = st.error().fields;
    add_rule_errors(into, fields);
    return Error::invalid(std::move(fields));
  }
  return st;
}

Status merge_patch(Lead& lead, std::string_view patch_json) {
  auto doc = json::parse_document(patch_json, thread_parser());
  if (!doc) return doc.error();
  Lead patched = lead;
  // Decode errors alone: the rules that combine fields are the store's, on the
  // patched stored lead (a mapping checks a patch on an empty lead).
  if (auto st = decode_lead_members(*doc, DecodeMode::input, patched); !st) return st;
  lead = std::move(patched);
  return ok_status();
}

// ---- business partner -------------------------------------------------------------

void write_json(JsonWriter& w, const BusinessPartner& p) {
  w.begin_object();
  if (!p.id.empty()) w.key_identifier("id").value(p.id.to_string());
  if (p.version != 0) w.key_identifier("version").value(p.version);
  w.key_identifier("kind").value(to_string(p.kind));
  put_if(w, "company", p.company);
  put_if(w, "given_name", p.given_name);
  put_if(w, "family_name", p.family_name);
  put_if(w, "email", p.email);
  put_if(w, "phone", p.phone);
  if (!p.address.empty()) {
    w.key_identifier("address");
    write_address(w, p.address);
  }
  if (!p.external_refs.empty()) {
    w.key_identifier("external_refs");
    write_refs(w, p.external_refs);
  }
  if (p.created_at != 0) w.key_identifier("created_at").value(format_timestamp(p.created_at));
  put_if(w, "created_by", p.created_by);
  if (p.changed_at != 0) w.key_identifier("changed_at").value(format_timestamp(p.changed_at));
  put_if(w, "changed_by", p.changed_by);
  w.end_object();
}

void write_json(JsonWriter& out, const std::vector<ExternalRef>& refs) { write_refs(out, refs); }

std::string to_json(const BusinessPartner& partner) {
  std::string out;
  JsonWriter w(out);
  write_json(w, partner);
  return out;
}

Result<BusinessPartner> partner_from_json(std::string_view text, DecodeMode mode) {
  auto doc = json::parse_document(text, thread_parser());
  if (!doc) return doc.error();
  DecodeContext ctx;
  ctx.mode = mode;
  BusinessPartner p;
  static constexpr std::array<std::string_view, 6> kSystem = {"id",         "version",    "created_at",
                                                              "created_by", "changed_at", "changed_by"};
  json::for_each_member(
      *doc, json::Path{}, ctx, [&] { ctx.fail("(document)", "expected an object"); },
      [&](std::string_view name, Element v) {
        const json::Path f{nullptr, name};
        const bool system = std::find(kSystem.begin(), kSystem.end(), name) != kSystem.end();
        if (system && mode == DecodeMode::input) {
          if (!v.is_null()) ctx.fail(f, "read-only: set by the hub");
          return;
        }
        if (json::named(name, "id"))
          json::read_id(v, f, ctx, p.id);
        else if (json::named(name, "version"))
          json::read_uint(v, f, ctx, UINT64_MAX, p.version);
        else if (json::named(name, "kind"))
          json::read_enum(v, f, ctx, p.kind, PartnerKind::contact);
        else if (read_contact_member(name, v, f, ctx, p))
          return;
        else if (json::named(name, "external_refs"))
          read_refs(v, f, ctx, p.external_refs);
        else if (json::named(name, "created_at"))
          json::read_timestamp(v, f, ctx, p.created_at);
        else if (json::named(name, "created_by"))
          json::read_string(v, f, ctx, p.created_by);
        else if (json::named(name, "changed_at"))
          json::read_timestamp(v, f, ctx, p.changed_at);
        else if (json::named(name, "changed_by"))
          json::read_string(v, f, ctx, p.changed_by);
        else
          ctx.fail(f, unknown_contact_field(name, {"id", "version", "kind", "external_refs", "created_at", "created_by",
                                                   "changed_at", "changed_by"}));
      });
  if (!ctx.errors.empty()) {
    if (mode == DecodeMode::input) add_rule_errors(p, ctx.errors);
    return Error::invalid(std::move(ctx.errors));
  }
  return p;
}

}  // namespace leadhub
