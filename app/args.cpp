#include "args.hpp"

#include <string_view>

#include "json/decode.hpp"

namespace leadhub::cli {

namespace {

// "unknown option --stauts (did you mean --status?)", else the options there are:
// a typo is the usual cause, and the whole usage that follows is long.
Error unknown_option(const std::string& name, const std::vector<OptionSpec>& specs) {
  std::vector<std::string_view> known;
  known.reserve(specs.size());
  for (const auto& s : specs) known.emplace_back(s.name);
  std::string message = "unknown option --" + name;
  if (const auto meant = json::closest_name(name, known)) {
    message += " (did you mean --" + std::string(*meant) + "?)";
  } else if (known.empty()) {
    message += " (this command takes no options)";
  } else {
    message += " (this command takes";
    for (std::size_t i = 0; i < known.size(); ++i) message += (i == 0 ? " --" : ", --") + std::string(known[i]);
    message += ")";
  }
  return Error::make(ErrorCode::invalid, message);
}

}  // namespace

Result<Args> Args::parse(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs) {
  Args args;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      args.positional_.insert(args.positional_.end(), argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, argv.end());
      break;
    }
    if (a.size() < 3 || a.rfind("--", 0) != 0) {
      args.positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) return unknown_option(name, specs);
    // An option holds one value: a second one would silently win over the first
    // (`--status open --status qualified` reads as "either", but finds one).
    if (args.values_.count(name) != 0) {
      return Error::make(ErrorCode::invalid, "option --" + name + " given twice (it takes one value)");
    }
    if (!spec->takes_value) {
      if (inline_value) return Error::make(ErrorCode::invalid, "option --" + name + " takes no value");
      args.values_[name] = "true";
      continue;
    }
    if (inline_value) {
      args.values_[name] = *inline_value;
    } else if (i + 1 < argv.size()) {
      args.values_[name] = argv[++i];
    } else {
      return Error::make(ErrorCode::invalid, "option --" + name + " needs a value");
    }
  }
  return args;
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

std::string format_options(const std::vector<OptionSpec>& specs) {
  std::string out;
  for (const auto& s : specs) {
    std::string left = "  --" + s.name + (s.takes_value ? " VALUE" : "");
    if (left.size() < 28) left.resize(28, ' ');
    out += left + " " + s.help + "\n";
  }
  return out;
}

}  // namespace leadhub::cli
