// unit_store: core/store/lead_store.hpp on real LMDB files in temporary folders.
#define BOOST_TEST_MODULE unit_store
#include <boost/test/unit_test.hpp>
