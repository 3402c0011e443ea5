// Size limits on every string and list of the canonical model. They keep one bad
// or hostile record from bloating the store, and the schemas in schemas/ say the same.
#pragma once

#include <cstddef>

namespace leadhub::limits {

inline constexpr std::size_t kShortText = 100;   // names, ids, channel, campaign, author
inline constexpr std::size_t kMediumText = 255;  // subject, company, street, file name
inline constexpr std::size_t kEmail = 254;       // RFC 5321 path limit
inline constexpr std::size_t kPostalCode = 20;
inline constexpr std::size_t kLanguage = 35;
inline constexpr std::size_t kReason = 1000;
inline constexpr std::size_t kConsentText = 2000;
inline constexpr std::size_t kNoteText = 10000;
inline constexpr std::size_t kUri = 2048;
inline constexpr std::size_t kAttributeKey = 64;
inline constexpr std::size_t kAttributeValue = 1000;

inline constexpr std::size_t kExternalRefs = 20;
inline constexpr std::size_t kInterests = 100;
inline constexpr std::size_t kNotes = 500;
inline constexpr std::size_t kAttachments = 100;
inline constexpr std::size_t kAttributes = 64;

inline constexpr std::size_t kMaxQuantity = 1'000'000;
inline constexpr std::size_t kMaxRecordBytes = 1 << 20;  // encoded JSON of one record

}  // namespace leadhub::limits
