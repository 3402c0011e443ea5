// How records and index entries are keyed in LMDB.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/lead.hpp"
#include "store/lmdb_env.hpp"

namespace leadhub::store {

// 8 big-endian bytes of a record id: byte order is id order is creation order.
class IdKey {
 public:
  explicit IdKey(RecordId id) { id.to_key(bytes_); }
  // Only on a named key: a view of a temporary IdKey would dangle after the line.
  std::string_view view() const& { return {reinterpret_cast<const char*>(bytes_), sizeof bytes_}; }
  std::string_view view() const&& = delete;

 private:
  unsigned char bytes_[8];
};

// The 8 key bytes as an owning string (fits the small-string buffer: no allocation).
std::string id_key(RecordId id);

std::string email_key(std::string_view email);    // lower-cased
std::string phone_key(std::string_view phone);    // punctuation stripped, as normalize() does
std::string ref_key(const ExternalRef& ref);      // system \0 id
std::string changed_key(TimeMs at, RecordId id);  // 8 bytes time + 8 bytes id
std::string audit_key(RecordId id, std::uint64_t version, std::uint16_t n);
std::string audit_prefix(RecordId id);
std::string be64(std::uint64_t v);
std::uint64_t read_be64(std::string_view bytes);

struct IndexEntry {
  MDB_dbi dbi;
  std::string key;
  friend bool operator==(const IndexEntry&, const IndexEntry&) = default;
};

// Every secondary-index entry that points at this lead (value = the lead's id).
std::vector<IndexEntry> lead_index_entries(const Dbis& dbi, const Lead& lead);
std::vector<IndexEntry> partner_index_entries(const Dbis& dbi, const BusinessPartner& partner);

}  // namespace leadhub::store
