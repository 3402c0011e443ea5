// unit_processing: core/processing (normalization, similarity, duplicate
// rules, classification, scoring, assignment, config loading).
#define BOOST_TEST_MODULE unit_processing
#include <boost/test/unit_test.hpp>
