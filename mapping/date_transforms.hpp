// The date and time transforms: reading dates and local times in given formats
// (`date`, `datetime`, with a fixed UTC offset or a named time zone), and writing
// canonical dates and timestamps in a party's format (`format_date`, `format_datetime`).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "transforms.hpp"

namespace leadhub::mapping {

// {date: "%d.%m.%Y"} / {datetime: {format: ..., utc_offset: "+01:00" | timezone: Europe/Berlin}}
Result<Transform> make_date(const YAML::Node& arg, const std::string& where, bool date_only);
// {format_date: "%d.%m.%Y"} / {format_datetime: {format: "%d.%m.%Y %H:%M", timezone: Europe/Berlin}}
Result<Transform> make_format_date(const YAML::Node& arg, const std::string& where, bool date_only);

}  // namespace leadhub::mapping
