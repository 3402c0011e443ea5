#include "store/keys.hpp"

#include "model/validation.hpp"

namespace leadhub::store {

std::string be64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(v >> (56 - 8 * i));
  return out;
}

std::uint64_t read_be64(std::string_view bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8 && i < bytes.size(); ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

std::string id_key(RecordId id) {
  const IdKey key(id);
  return std::string(key.view());
}

std::string email_key(std::string_view email) { return lower_ascii(email); }

std::string phone_key(std::string_view phone) {
  std::string out;
  for (char c : phone) {
    if (c == '+' || (c >= '0' && c <= '9')) out += c;
  }
  if (out.rfind("00", 0) == 0) out = "+" + out.substr(2);
  return out;
}

std::string ref_key(const ExternalRef& ref) {
  std::string out = ref.system;
  out += '\0';
  out += ref.id;
  return out;
}

std::string changed_key(TimeMs at, RecordId id) { return be64(static_cast<std::uint64_t>(at)) + id_key(id); }

std::string audit_prefix(RecordId id) { return id_key(id); }

std::string audit_key(RecordId id, std::uint64_t version, std::uint16_t n) {
  std::string out = audit_prefix(id) + be64(version);
  out += static_cast<char>(n >> 8);
  out += static_cast<char>(n & 0xFF);
  return out;
}

std::vector<IndexEntry> lead_index_entries(const Dbis& dbi, const Lead& lead) {
  std::vector<IndexEntry> out;
  const auto& p = lead.prospect;
  if (!p.email.empty()) out.push_back({dbi.by_email, email_key(p.email)});
  if (!p.phone.empty()) out.push_back({dbi.by_phone, phone_key(p.phone)});
  for (const auto& ref : lead.external_refs) out.push_back({dbi.by_ref, ref_key(ref)});
  out.push_back({dbi.by_status, std::string(to_string(lead.status))});
  if (!lead.owner.channel.empty()) out.push_back({dbi.by_owner, lead.owner.channel});
  out.push_back({dbi.by_source, std::string(to_string(lead.source))});
  if (!lead.campaign.empty()) out.push_back({dbi.by_campaign, lead.campaign});
  return out;
}

std::vector<IndexEntry> partner_index_entries(const Dbis& dbi, const BusinessPartner& partner) {
  std::vector<IndexEntry> out;
  if (!partner.email.empty()) out.push_back({dbi.partner_by_email, email_key(partner.email)});
  for (const auto& ref : partner.external_refs) out.push_back({dbi.partner_by_ref, ref_key(ref)});
  return out;
}

}  // namespace leadhub::store
