#include "drop_rules.hpp"

#include <fnmatch.h>

namespace leadhub::connectors::files {

bool name_matches(std::string_view pattern, std::string_view name) {
  const std::string p(pattern), n(name);  // fnmatch wants terminated strings
  return ::fnmatch(p.c_str(), n.c_str(), FNM_CASEFOLD) == 0;
}

FileRules::FileRules(std::vector<std::string> ignore, std::vector<PatternMapping> patterns, std::string default_mapping)
    : ignore_(std::move(ignore)), patterns_(std::move(patterns)), default_mapping_(std::move(default_mapping)) {}

bool FileRules::ignored(std::string_view name) const {
  if (name.empty() || name.front() == '.') return true;
  for (const auto& pattern : ignore_) {
    if (name_matches(pattern, name)) return true;
  }
  return false;
}

const std::string& FileRules::mapping_for(std::string_view name) const {
  for (const auto& p : patterns_) {
    if (name_matches(p.match, name)) return p.mapping;
  }
  return default_mapping_;
}

bool StabilityCheck::observe(const std::string& name, FileState state, std::int64_t now_ms) {
  auto [it, added] = seen_.try_emplace(name, Seen{state, now_ms});
  if (added) return stable_ms_ == 0;
  if (!(it->second.state == state)) {
    it->second = {state, now_ms};  // still being written: the wait starts again
    return stable_ms_ == 0;
  }
  return now_ms - it->second.since_ms >= stable_ms_;
}

void StabilityCheck::forget_missing(const std::function<bool(const std::string&)>& present) {
  for (auto it = seen_.begin(); it != seen_.end();) {
    if (present(it->first))
      ++it;
    else
      it = seen_.erase(it);
  }
}

std::string stamped_name(const std::string& name, const std::string& stamp, int attempt) {
  std::string suffix(1, '.');
  suffix += stamp;
  if (attempt > 1) suffix += '-' + std::to_string(attempt);
  const auto dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return name + suffix;
  return name.substr(0, dot) + suffix + name.substr(dot);
}

std::string shortened_name(const std::string& name, std::size_t max_bytes) {
  if (name.size() <= max_bytes) return name;
  auto dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0 || name.size() - dot > max_bytes / 2) dot = name.size();
  const std::string extension = name.substr(dot);
  std::size_t keep = max_bytes - extension.size();
  while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80) --keep;  // not inside a character
  return name.substr(0, keep) + extension;
}

namespace {

// The length of the UTF-8 sequence at `s[i]`, or 0 when it is not one (overlong
// forms, surrogates and code points past U+10FFFF included).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if ((b & 0xE0) == 0xC0) {
    n = 2;
    cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3;
    cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4;
    cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::string printable_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size();) {
    const std::size_t n = utf8_sequence(name, i);
    const auto b = static_cast<unsigned char>(name[i]);
    if (n == 0 || (n == 1 && (b < 0x20 || b == 0x7F))) {
      out += '?';
      ++i;
      continue;
    }
    out.append(name.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace leadhub::connectors::files
