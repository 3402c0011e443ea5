// A small command-line parser: options `--name value`, `--name=value` and flags,
// checked against the options a command declares, plus positional arguments.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace leadhub::cli {

struct OptionSpec {
  std::string name;  // without "--"
  bool takes_value = true;
  std::string help;
};

class Args {
 public:
  static Result<Args> parse(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

std::string format_options(const std::vector<OptionSpec>& specs);

}  // namespace leadhub::cli
