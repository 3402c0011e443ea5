// unit_connectors: the URLs the log and /readyz show (connectors/framework/log):
// a password in the user info never shows, everything else does.
#include <boost/test/unit_test.hpp>
#include <string>

#include "connectors/framework/log.hpp"

using leadhub::connectors::log::url_without_password;

BOOST_AUTO_TEST_SUITE(log_url)

BOOST_AUTO_TEST_CASE(password_replaced) {
  BOOST_TEST(url_without_password("https://ops:S3cret@crm.example/events?x=1") ==
             "https://ops:***@crm.example/events?x=1");
  BOOST_TEST(url_without_password("amqps://leadhub:p%40ss@broker:5671") == "amqps://leadhub:***@broker:5671");
  // An '@' in the password, as people write it unescaped: the last '@' ends the user info.
  BOOST_TEST(url_without_password("http://u:a@b@host:8080/p") == "http://u:***@host:8080/p");
}

BOOST_AUTO_TEST_CASE(other_urls_unchanged) {
  BOOST_TEST(url_without_password("http://127.0.0.1:18099/events") == "http://127.0.0.1:18099/events");
  BOOST_TEST(url_without_password("amqp://leadhub@broker:5672") == "amqp://leadhub@broker:5672");  // no password
  BOOST_TEST(url_without_password("http://host/path/a:b@c") == "http://host/path/a:b@c");          // '@' in the path
  BOOST_TEST(url_without_password("not a url") == "not a url");
}

BOOST_AUTO_TEST_SUITE_END()
