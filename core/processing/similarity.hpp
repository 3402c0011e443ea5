// String similarity for fuzzy duplicate rules. Inputs are folded text
// (normalize.hpp), so the measures work on bytes of ASCII.
#pragma once

#include <string_view>

namespace leadhub::processing {

// Jaro similarity in [0, 1]; 1 for two empty strings, 0 when only one is empty.
double jaro(std::string_view a, std::string_view b);

// Jaro-Winkler: Jaro boosted by the common prefix (at most 4 characters,
// scale 0.1, as Winkler defined it), so "martha"/"marhta" = 0.9611.
double jaro_winkler(std::string_view a, std::string_view b);

// Person name similarity on folded given and family names: the better of the
// straight and the swapped pairing ("Anna Müller" vs "Müller Anna"), each the
// average of the two Jaro-Winkler values weighted 1:2 towards the family name.
// A missing given name on one side compares the family names alone, slightly
// discounted.
double name_similarity(std::string_view given_a, std::string_view family_a, std::string_view given_b,
                       std::string_view family_b);

// Token-based company similarity on company keys (legal forms already
// stripped): each word is paired with its best Jaro-Winkler match in the other
// name (Monge-Elkan), taking the lower of the two directions so word order
// costs nothing ("bau schmidt" vs "schmidt bau" = 1) but an extra word does.
double company_similarity(std::string_view key_a, std::string_view key_b);

}  // namespace leadhub::processing
