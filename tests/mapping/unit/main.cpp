// mapping_unit: the mapping engine (mapping/): transforms, spec loading, readers,
// engine and outbound.
#define BOOST_TEST_MODULE mapping_unit
#include <boost/test/unit_test.hpp>
