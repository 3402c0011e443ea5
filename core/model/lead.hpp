// The canonical lead and business partner: the one shape every connector's
// mapping produces and every operation works on. Wire names (JSON, schemas) are
// the member names; docs/canonical-model.md describes each field.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/enums.hpp"
#include "model/ids.hpp"
#include "util/clock.hpp"

namespace leadhub {

struct ExternalRef {
  std::string system;  // e.g. "sap", "lettershop-acme"
  std::string id;
  friend bool operator==(const ExternalRef&, const ExternalRef&) = default;
};

struct Address {
  std::string street;
  std::string postal_code;
  std::string city;
  std::string region;
  std::string country;  // ISO 3166-1 alpha-2, upper case
  bool empty() const {
    return street.empty() && postal_code.empty() && city.empty() && region.empty() && country.empty();
  }
  friend bool operator==(const Address&, const Address&) = default;
};

struct Prospect {
  std::optional<ProspectKind> kind;
  RecordId partner_id;  // business partner this lead belongs to, if known
  std::string company;
  std::string given_name;
  std::string family_name;
  std::string email;     // stored as given; indexed lower-cased
  std::string phone;     // E.164, e.g. +4917112345678
  std::string language;  // BCP 47 tag, e.g. "de" or "en-GB"
  Address address;
  bool empty() const {
    return !kind && partner_id.empty() && company.empty() && given_name.empty() && family_name.empty() &&
           email.empty() && phone.empty() && language.empty() && address.empty();
  }
  friend bool operator==(const Prospect&, const Prospect&) = default;
};

struct Interest {
  std::string product;
  std::uint32_t quantity = 1;
  friend bool operator==(const Interest&, const Interest&) = default;
};

struct Money {
  std::string amount;    // decimal text, e.g. "1250.00": never a binary float
  std::string currency;  // ISO 4217, e.g. "EUR"
  bool empty() const { return amount.empty() && currency.empty(); }
  friend bool operator==(const Money&, const Money&) = default;
};

struct Owner {
  std::string channel;   // team, partner or call centre the lead is assigned to
  std::string assignee;  // person within the channel
  bool empty() const { return channel.empty() && assignee.empty(); }
  friend bool operator==(const Owner&, const Owner&) = default;
};

struct Consent {
  std::optional<bool> marketing;
  std::optional<TimeMs> at;
  std::string text;
  bool empty() const { return !marketing && !at && text.empty(); }
  friend bool operator==(const Consent&, const Consent&) = default;
};

struct Note {
  TimeMs at = 0;
  std::string author;
  std::string text;
  friend bool operator==(const Note&, const Note&) = default;
};

struct Attachment {
  std::string name;
  std::string media_type;
  std::uint64_t size = 0;
  std::string sha256;  // 64 lower-case hex digits
  std::string uri;
  friend bool operator==(const Attachment&, const Attachment&) = default;
};

// Who made a change and through which door: written to every audit entry.
struct Actor {
  std::string user = "system";
  std::string connector = "cli";
};

struct Lead {
  RecordId id;
  std::uint64_t version = 0;  // starts at 1, +1 per committed change
  std::string subject;
  LeadStatus status = LeadStatus::open;
  std::optional<Qualification> qualification;
  Priority priority = Priority::normal;
  std::optional<std::uint8_t> score;  // 0..100
  LeadSource source = LeadSource::api;
  std::string campaign;
  std::vector<ExternalRef> external_refs;
  Prospect prospect;
  std::vector<Interest> interests;
  Money expected_value;
  Owner owner;
  Consent consent;
  std::vector<Note> notes;
  std::vector<Attachment> attachments;
  std::string follow_up;  // YYYY-MM-DD
  std::string reason;     // why declined or closed
  std::string opportunity_ref;
  RecordId duplicate_of;
  std::map<std::string, std::string> attributes;
  TimeMs created_at = 0;
  std::string created_by;
  TimeMs changed_at = 0;
  std::string changed_by;
  TimeMs status_changed_at = 0;

  friend bool operator==(const Lead&, const Lead&) = default;
};

struct BusinessPartner {
  RecordId id;
  std::uint64_t version = 0;
  PartnerKind kind = PartnerKind::contact;
  std::string company;
  std::string given_name;
  std::string family_name;
  std::string email;
  std::string phone;
  Address address;
  std::vector<ExternalRef> external_refs;
  TimeMs created_at = 0;
  std::string created_by;
  TimeMs changed_at = 0;
  std::string changed_by;

  friend bool operator==(const BusinessPartner&, const BusinessPartner&) = default;
};

}  // namespace leadhub
