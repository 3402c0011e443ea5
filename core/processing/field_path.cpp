#include "processing/field_path.hpp"

#include <functional>

namespace leadhub::processing {
namespace {

using Out = std::vector<std::string>;
using Accessor = void (*)(const Lead&, Out&);

void put(Out& out, std::string_view v) {
  if (!v.empty()) out.emplace_back(v);
}

struct Entry {
  std::string_view path;
  Accessor get;
};

// One line per canonical leaf; the lambdas are captureless so the table is constant.
const Entry kFields[] = {
    {"subject", [](const Lead& l, Out& o) { put(o, l.subject); }},
    {"status", [](const Lead& l, Out& o) { put(o, to_string(l.status)); }},
    {"qualification",
     [](const Lead& l, Out& o) {
       if (l.qualification) put(o, to_string(*l.qualification));
     }},
    {"priority", [](const Lead& l, Out& o) { put(o, to_string(l.priority)); }},
    {"score",
     [](const Lead& l, Out& o) {
       if (l.score) o.push_back(std::to_string(*l.score));
     }},
    {"source", [](const Lead& l, Out& o) { put(o, to_string(l.source)); }},
    {"campaign", [](const Lead& l, Out& o) { put(o, l.campaign); }},
    {"prospect.kind",
     [](const Lead& l, Out& o) {
       if (l.prospect.kind) put(o, to_string(*l.prospect.kind));
     }},
    {"prospect.partner_id",
     [](const Lead& l, Out& o) {
       if (!l.prospect.partner_id.empty()) o.push_back(l.prospect.partner_id.to_string());
     }},
    {"prospect.company", [](const Lead& l, Out& o) { put(o, l.prospect.company); }},
    {"prospect.given_name", [](const Lead& l, Out& o) { put(o, l.prospect.given_name); }},
    {"prospect.family_name", [](const Lead& l, Out& o) { put(o, l.prospect.family_name); }},
    {"prospect.email", [](const Lead& l, Out& o) { put(o, l.prospect.email); }},
    // Derived: free-mail vs company domain is one of the strongest conversion signals.
    {"prospect.email_domain",
     [](const Lead& l, Out& o) {
       std::size_t at = l.prospect.email.rfind('@');
       if (at != std::string::npos) put(o, std::string_view(l.prospect.email).substr(at + 1));
     }},
    {"prospect.phone", [](const Lead& l, Out& o) { put(o, l.prospect.phone); }},
    {"prospect.language", [](const Lead& l, Out& o) { put(o, l.prospect.language); }},
    {"prospect.address.street", [](const Lead& l, Out& o) { put(o, l.prospect.address.street); }},
    {"prospect.address.postal_code", [](const Lead& l, Out& o) { put(o, l.prospect.address.postal_code); }},
    {"prospect.address.city", [](const Lead& l, Out& o) { put(o, l.prospect.address.city); }},
    {"prospect.address.region", [](const Lead& l, Out& o) { put(o, l.prospect.address.region); }},
    {"prospect.address.country", [](const Lead& l, Out& o) { put(o, l.prospect.address.country); }},
    {"interests.product",
     [](const Lead& l, Out& o) {
       for (const Interest& i : l.interests) put(o, i.product);
     }},
    {"interests.quantity",
     [](const Lead& l, Out& o) {
       for (const Interest& i : l.interests) o.push_back(std::to_string(i.quantity));
     }},
    {"expected_value.amount", [](const Lead& l, Out& o) { put(o, l.expected_value.amount); }},
    {"expected_value.currency", [](const Lead& l, Out& o) { put(o, l.expected_value.currency); }},
    {"owner.channel", [](const Lead& l, Out& o) { put(o, l.owner.channel); }},
    {"owner.assignee", [](const Lead& l, Out& o) { put(o, l.owner.assignee); }},
    {"consent.marketing",
     [](const Lead& l, Out& o) {
       if (l.consent.marketing) put(o, *l.consent.marketing ? "true" : "false");
     }},
    {"external_refs.system",
     [](const Lead& l, Out& o) {
       for (const ExternalRef& r : l.external_refs) put(o, r.system);
     }},
    {"follow_up", [](const Lead& l, Out& o) { put(o, l.follow_up); }},
    {"reason", [](const Lead& l, Out& o) { put(o, l.reason); }},
    {"opportunity_ref", [](const Lead& l, Out& o) { put(o, l.opportunity_ref); }},
    {"duplicate_of",
     [](const Lead& l, Out& o) {
       if (!l.duplicate_of.empty()) o.push_back(l.duplicate_of.to_string());
     }},
};

constexpr std::string_view kAttributes = "attributes.";
constexpr int kAttributeIndex = -2;

}  // namespace

std::optional<FieldPath> FieldPath::parse(std::string_view path) {
  FieldPath result;
  result.text_ = std::string(path);
  if (path.starts_with(kAttributes) && path.size() > kAttributes.size()) {
    result.index_ = kAttributeIndex;
    result.attribute_ = std::string(path.substr(kAttributes.size()));
    return result;
  }
  for (int i = 0; i < static_cast<int>(std::size(kFields)); ++i) {
    if (kFields[i].path == path) {
      result.index_ = i;
      return result;
    }
  }
  return std::nullopt;
}

std::vector<std::string> FieldPath::values(const Lead& lead) const {
  Out out;
  if (index_ == kAttributeIndex) {
    if (auto it = lead.attributes.find(attribute_); it != lead.attributes.end()) put(out, it->second);
  } else if (index_ >= 0) {
    kFields[index_].get(lead, out);
  }
  return out;
}

std::vector<std::string_view> FieldPath::known_paths() {
  std::vector<std::string_view> paths;
  for (const Entry& e : kFields) paths.push_back(e.path);
  paths.emplace_back("attributes.*");
  return paths;
}

}  // namespace leadhub::processing
