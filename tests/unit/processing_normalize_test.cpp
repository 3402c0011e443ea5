#include <boost/test/unit_test.hpp>

#include "processing/normalize.hpp"
#include "processing/similarity.hpp"

using namespace leadhub::processing;

BOOST_AUTO_TEST_SUITE(processing_normalize)

BOOST_AUTO_TEST_CASE(email_case_plus_and_googlemail) {
  NormalizeOptions on;
  BOOST_TEST(normalize_email(" Anna.Mueller+News@GoogleMail.com ", on) == "anna.mueller@gmail.com");
  NormalizeOptions off{false, false};
  BOOST_TEST(normalize_email("Anna+News@GoogleMail.com", off) == "anna+news@googlemail.com");
  BOOST_TEST(normalize_email("no-at-sign", on) == "");
}

BOOST_AUTO_TEST_CASE(phone_formats_meet) {
  BOOST_TEST(normalize_phone("+49 30 1234567") == "49301234567");
  BOOST_TEST(normalize_phone("0049 (30) 123-4567") == "49301234567");
  BOOST_TEST(normalize_phone("+4930/1234567") == "49301234567");
  BOOST_TEST(normalize_phone("123") == "");
}

BOOST_AUTO_TEST_CASE(umlaut_spellings_meet) {
  BOOST_TEST(fold_text("Müller") == "muller");
  BOOST_TEST(fold_text("Mueller") == "muller");
  BOOST_TEST(fold_text("MULLER") == "muller");
  BOOST_TEST(fold_text("Jürgen  Groß-Öhler") == fold_text("Juergen Gross Oehler"));
  BOOST_TEST(fold_text("Straße") == "strasse");
}

BOOST_AUTO_TEST_CASE(other_scripts_transliterate_through_icu) {
  BOOST_TEST(fold_text("Łukasz") == "lukasz");  // U+0141, outside the Latin-1 fast path
  BOOST_TEST(fold_text("Дмитрий") == "dmitrij");
  BOOST_TEST(fold_text("Ελένη") == "elene");  // ICU: η -> ē -> e
}

BOOST_AUTO_TEST_CASE(company_legal_forms_stripped) {
  BOOST_TEST(company_key("Müller Haustechnik GmbH") == "muller haustechnik");
  BOOST_TEST(company_key("Mueller Haustechnik GmbH & Co. KG") == "muller haustechnik");
  BOOST_TEST(company_key("Müller Haustechnik G.m.b.H.") == "muller haustechnik");
  BOOST_TEST(company_key("ACME Ltd.") == "acme");
  BOOST_TEST(company_key("Acme, Inc") == "acme");
  BOOST_TEST(company_key("Dupont SARL") == "dupont");
  BOOST_TEST(company_key("Rossi S.p.A.") == "rossi");
  BOOST_TEST(company_key("Jansen B.V.") == "jansen");
  // A legal form word leading the name is part of the name.
  BOOST_TEST(company_key("AG Solar") == "ag solar");
  BOOST_TEST(company_key("GmbH") == "gmbh");
}

BOOST_AUTO_TEST_CASE(postal_and_country) {
  BOOST_TEST(normalize_postal(" 10 115 ") == "10115");
  BOOST_TEST(normalize_postal("sw1a-1aa") == "SW1A1AA");
  BOOST_TEST(normalize_country("de") == "DE");
  BOOST_TEST(normalize_country("Deutschland") == "DE");
  BOOST_TEST(normalize_country("Österreich") == "AT");
}

BOOST_AUTO_TEST_CASE(soundex_known_codes) {
  BOOST_TEST(soundex("robert") == "R163");
  BOOST_TEST(soundex("rupert") == "R163");
  BOOST_TEST(soundex("ashcraft") == "A261");
  BOOST_TEST(soundex("tymczak") == "T522");
  BOOST_TEST(soundex("pfister") == "P236");
  BOOST_TEST(soundex("lee") == "L000");
  BOOST_TEST(soundex("") == "");
}

BOOST_AUTO_TEST_CASE(jaro_winkler_known_values) {
  const auto tol = boost::test_tools::tolerance(1e-4);
  BOOST_TEST(jaro("martha", "marhta") == 0.944444, tol);
  BOOST_TEST(jaro_winkler("martha", "marhta") == 0.961111, tol);
  BOOST_TEST(jaro_winkler("dwayne", "duane") == 0.84, tol);
  BOOST_TEST(jaro_winkler("dixon", "dicksonx") == 0.813333, tol);
  BOOST_TEST(jaro("crate", "trace") == 0.733333, tol);
  BOOST_TEST(jaro_winkler("abc", "abc") == 1.0, tol);
  BOOST_TEST(jaro_winkler("abc", "xyz") == 0.0, tol);
  BOOST_TEST(jaro_winkler("", "") == 1.0, tol);
  BOOST_TEST(jaro_winkler("a", "") == 0.0, tol);
}

BOOST_AUTO_TEST_CASE(name_similarity_tolerates_swaps) {
  BOOST_TEST(name_similarity("anna", "muller", "muller", "anna") > 0.99);
  BOOST_TEST(name_similarity("anna", "muller", "anna", "mulelr") > 0.93);
  BOOST_TEST(name_similarity("anna", "muller", "peter", "schmidt") < 0.6);
  BOOST_TEST(name_similarity("", "muller", "anna", "") == 0.0);
}

BOOST_AUTO_TEST_CASE(company_similarity_tokens) {
  BOOST_TEST(company_similarity("bau schmidt", "schmidt bau") == 1.0);
  BOOST_TEST(company_similarity("muller haustechnik", "muler haustechnik") > 0.95);
  BOOST_TEST(company_similarity("muller", "muller bau gruppe") < 0.8);
  BOOST_TEST(company_similarity("", "acme") == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
