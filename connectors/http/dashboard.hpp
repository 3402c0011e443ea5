// GET /dashboard: the staff's page (config/dashboard.html, compiled in by CMake so
// the served page is the one the binary was built with). The page itself needs no
// key; the API calls it makes do.
#pragma once

#include <string_view>

#include "router.hpp"

namespace leadhub::connectors::http {

std::string_view dashboard_page();
void add_dashboard_route(Router& router);

}  // namespace leadhub::connectors::http
