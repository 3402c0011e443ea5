// Whom a JSON document to decode comes from: the decoder's checks differ.
#pragma once

namespace leadhub {

enum class DecodeMode {
  stored,  // a record the hub wrote: every member allowed, no check for repeated names
  input,   // from a caller: system fields (id, version, created_*, changed_*) are read-only
};

}  // namespace leadhub
