// unit_model: util/time_format, model/ids, model/validation, model/lifecycle.
#define BOOST_TEST_MODULE unit_model
#include <boost/test/unit_test.hpp>
