#include "processing/config.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "processing/condition_yaml.hpp"
#include "processing/yaml_support.hpp"

namespace leadhub::processing {
namespace {

using yaml::error_at;
using yaml::Source;

// ---- conditions ----------------------------------------------------------

Result<Condition> parse_condition(const Source& src, const YAML::Node& node);

Result<std::vector<Condition>> parse_children(const Source& src, const YAML::Node& node) {
  if (!node.IsSequence()) return error_at(src, node, "all/any takes a list of conditions");
  std::vector<Condition> children;
  for (const YAML::Node& child : node) {
    auto c = parse_condition(src, child);
    if (!c) return c.error();
    children.push_back(std::move(*c));
  }
  return children;
}

Result<FieldPath> parse_field(const Source& src, const YAML::Node& node) {
  auto text = yaml::scalar(src, node, "field");
  if (!text) return text.error();
  auto path = FieldPath::parse(*text);
  if (!path) return error_at(src, node, "unknown canonical field '" + *text + "'");
  return *path;
}

Status parse_range(const Source& src, const YAML::Node& node, Condition& c) {
  if (Status s = yaml::only_keys(src, node, {"min", "max"}); !s) return s;
  if (node["min"]) {
    auto v = yaml::number(src, node["min"], "range min");
    if (!v) return v.error();
    c.min = *v;
  }
  if (node["max"]) {
    auto v = yaml::number(src, node["max"], "range max");
    if (!v) return v.error();
    c.max = *v;
  }
  if (!c.min && !c.max) return error_at(src, node, "range needs min, max or both");
  return ok_status();
}

Status parse_regex(const Source& src, const YAML::Node& node, Condition& c) {
  auto pattern = yaml::scalar(src, node, "regex");
  if (!pattern) return pattern.error();
  try {
    c.regex = std::make_shared<const std::regex>(*pattern, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    return error_at(src, node, "bad regex '" + *pattern + "': " + e.what());
  }
  return ok_status();
}

// The one operator key of a leaf and its operand.
Status parse_operator(const Source& src, const YAML::Node& node, Condition& c) {
  int found = 0;
  for (const auto& item : node) {
    const std::string key = item.first.Scalar();
    const YAML::Node& v = item.second;
    Status s = ok_status();
    if (key == "field") continue;
    ++found;
    if (key == "equals" || key == "in" || key == "prefix") {
      c.op = key == "equals" ? LeafOp::equals : key == "in" ? LeafOp::in : LeafOp::prefix;
      auto list = yaml::string_list(src, v, key);
      if (!list) return list.error();
      c.operands = std::move(*list);
    } else if (key == "regex") {
      c.op = LeafOp::regex;
      s = parse_regex(src, v, c);
    } else if (key == "range") {
      c.op = LeafOp::range;
      s = parse_range(src, v, c);
    } else if (key == "present" || key == "absent") {
      auto flag = yaml::boolean(src, v, key);
      if (!flag) return flag.error();
      c.op = (*flag == (key == "present")) ? LeafOp::present : LeafOp::absent;
    } else {
      return error_at(src, item.first,
                      "unknown condition '" + key + "' (expected equals, in, prefix, regex, range, present, absent)");
    }
    if (!s) return s;
  }
  if (found != 1) return error_at(src, node, "a condition on a field needs exactly one operator");
  return ok_status();
}

Result<Condition> parse_condition(const Source& src, const YAML::Node& node) {
  if (!node.IsMap()) return error_at(src, node, "a condition must be a mapping");
  Condition c;
  if (node["all"] || node["any"]) {
    if (Status s = yaml::only_keys(src, node, {"all", "any"}); !s || node.size() != 1) {
      return s ? error_at(src, node, "use either all or any, nest them for both") : s.error();
    }
    c.kind = node["all"] ? ConditionKind::all : ConditionKind::any;
    auto children = parse_children(src, node["all"] ? node["all"] : node["any"]);
    if (!children) return children.error();
    c.children = std::move(*children);
    return c;
  }
  if (node["not"]) {
    if (Status s = yaml::only_keys(src, node, {"not"}); !s) return s.error();
    auto child = parse_condition(src, node["not"]);
    if (!child) return child.error();
    c.kind = ConditionKind::negate;
    c.children.push_back(std::move(*child));
    return c;
  }
  if (!node["field"]) return error_at(src, node, "a condition needs field, all, any or not");
  auto field = parse_field(src, node["field"]);
  if (!field) return field.error();
  c.kind = ConditionKind::leaf;
  c.field = std::move(*field);
  if (Status s = parse_operator(src, node, c); !s) return s.error();
  return c;
}

Result<Condition> optional_condition(const Source& src, const YAML::Node& node) {
  if (!node) return Condition{};  // an empty `all`: always true
  return parse_condition(src, node);
}

// ---- duplicates ------------------------------------------------------------

Result<DuplicatePolicy> parse_policy(const Source& src, const YAML::Node& node) {
  auto text = yaml::scalar(src, node, "policy");
  if (!text) return text.error();
  auto policy = parse_duplicate_policy(*text);
  if (!policy) return error_at(src, node, "unknown policy '" + *text + "' (expected reject, flag, link, update)");
  return *policy;
}

Result<MatchField> parse_match_field(const Source& src, const YAML::Node& node) {
  auto text = yaml::scalar(src, node, "match");
  if (!text) return text.error();
  for (MatchField f : {MatchField::email, MatchField::phone, MatchField::name, MatchField::company}) {
    if (to_string(f) == *text) return f;
  }
  return error_at(src, node, "unknown match '" + *text + "' (expected email, phone, name, company)");
}

Result<std::vector<SameField>> parse_same(const Source& src, const YAML::Node& node) {
  auto list = yaml::string_list(src, node, "same");
  if (!list) return list.error();
  std::vector<SameField> out;
  for (const std::string& name : *list) {
    bool known = false;
    for (SameField f : {SameField::postal_code, SameField::city, SameField::country}) {
      if (to_string(f) == name) {
        out.push_back(f);
        known = true;
      }
    }
    if (!known) return error_at(src, node, "unknown field '" + name + "' (expected postal_code, city, country)");
  }
  return out;
}

Result<DuplicateRule> parse_duplicate_rule(const Source& src, const YAML::Node& node) {
  if (Status s = yaml::only_keys(src, node, {"name", "match", "similarity", "same", "weight"}); !s) return s.error();
  if (!node["name"] || !node["match"]) return error_at(src, node, "a duplicate rule needs name and match");
  DuplicateRule rule;
  auto name = yaml::scalar(src, node["name"], "name");
  if (!name) return name.error();
  rule.name = *name;
  auto field = parse_match_field(src, node["match"]);
  if (!field) return field.error();
  rule.field = *field;
  if (node["similarity"]) {
    auto t = yaml::number(src, node["similarity"], "similarity");
    if (!t) return t.error();
    if (*t <= 0 || *t > 1) return error_at(src, node["similarity"], "similarity must be in (0, 1]");
    if (rule.field == MatchField::email || rule.field == MatchField::phone) {
      return error_at(src, node["similarity"], "e-mail and phone rules are exact; remove similarity");
    }
    rule.min_similarity = *t;
  }
  if (node["same"]) {
    auto same = parse_same(src, node["same"]);
    if (!same) return same.error();
    rule.same = std::move(*same);
  }
  if (node["weight"]) {
    auto w = yaml::number(src, node["weight"], "weight");
    if (!w) return w.error();
    rule.weight = *w;
  }
  return rule;
}

Status parse_normalize(const Source& src, const YAML::Node& node, NormalizeOptions& out) {
  if (Status s = yaml::only_keys(src, node, {"strip_plus_addressing", "googlemail_is_gmail"}); !s) return s;
  for (auto [key, target] : {std::pair{"strip_plus_addressing", &out.strip_plus_addressing},
                             std::pair{"googlemail_is_gmail", &out.googlemail_is_gmail}}) {
    if (!node[key]) continue;
    auto flag = yaml::boolean(src, node[key], key);
    if (!flag) return flag.error();
    *target = *flag;
  }
  return ok_status();
}

Status parse_duplicates(const Source& src, const YAML::Node& node, DuplicateConfig& out) {
  if (Status s = yaml::only_keys(src, node,
                                 {"normalize", "rules", "threshold", "policy", "connector_policies", "max_candidates"});
      !s) {
    return s;
  }
  if (node["normalize"]) {
    if (Status s = parse_normalize(src, node["normalize"], out.normalize); !s) return s;
  }
  if (node["threshold"]) {
    auto t = yaml::number(src, node["threshold"], "threshold");
    if (!t) return t.error();
    out.threshold = *t;
  }
  if (node["max_candidates"]) {
    auto n = yaml::number(src, node["max_candidates"], "max_candidates");
    if (!n) return n.error();
    if (*n < 1) return error_at(src, node["max_candidates"], "max_candidates must be at least 1");
    out.max_candidates = static_cast<std::size_t>(*n);
  }
  if (node["policy"]) {
    auto p = parse_policy(src, node["policy"]);
    if (!p) return p.error();
    out.policy = *p;
  }
  if (const YAML::Node& per = node["connector_policies"]) {
    if (!per.IsMap()) return error_at(src, per, "connector_policies maps connector names to policies");
    for (const auto& item : per) {
      auto p = parse_policy(src, item.second);
      if (!p) return p.error();
      out.connector_policies[item.first.Scalar()] = *p;
    }
  }
  if (const YAML::Node& rules = node["rules"]) {
    if (!rules.IsSequence()) return error_at(src, rules, "rules must be a list");
    out.rules.clear();
    for (const YAML::Node& r : rules) {
      auto rule = parse_duplicate_rule(src, r);
      if (!rule) return rule.error();
      out.rules.push_back(std::move(*rule));
    }
  }
  return ok_status();
}

// ---- classification ------------------------------------------------------------

template <typename E>
Result<E> parse_enum_node(const Source& src, const YAML::Node& node, const std::string& what) {
  auto text = yaml::scalar(src, node, what);
  if (!text) return text.error();
  auto value = parse_enum<E>(*text);
  if (!value) {
    std::string names;
    for (std::string_view n : enum_names<E>()) names += (names.empty() ? "" : ", ") + std::string(n);
    return error_at(src, node, "unknown " + what + " '" + *text + "' (expected " + names + ")");
  }
  return *value;
}

Status parse_owner(const Source& src, const YAML::Node& node, ClassificationActions& set) {
  if (Status s = yaml::only_keys(src, node, {"channel", "assignee"}); !s) return s;
  if (node["channel"]) {
    auto v = yaml::scalar(src, node["channel"], "owner channel");
    if (!v) return v.error();
    set.owner_channel = *v;
  }
  if (node["assignee"]) {
    auto v = yaml::scalar(src, node["assignee"], "owner assignee");
    if (!v) return v.error();
    set.owner_assignee = *v;
  }
  return ok_status();
}

Status parse_actions(const Source& src, const YAML::Node& node, ClassificationActions& set) {
  if (Status s = yaml::only_keys(src, node, {"qualification", "priority", "attributes", "owner"}); !s) return s;
  if (node["qualification"]) {
    auto q = parse_enum_node<Qualification>(src, node["qualification"], "qualification");
    if (!q) return q.error();
    set.qualification = *q;
  }
  if (node["priority"]) {
    auto p = parse_enum_node<Priority>(src, node["priority"], "priority");
    if (!p) return p.error();
    set.priority = *p;
  }
  if (const YAML::Node& attrs = node["attributes"]) {
    if (!attrs.IsMap()) return error_at(src, attrs, "attributes must map names to values");
    for (const auto& item : attrs) {
      auto v = yaml::scalar(src, item.second, "attribute value");
      if (!v) return v.error();
      set.attributes[item.first.Scalar()] = *v;
    }
  }
  if (node["owner"]) return parse_owner(src, node["owner"], set);
  return ok_status();
}

Result<ClassificationRule> parse_classification_rule(const Source& src, const YAML::Node& node) {
  if (Status s = yaml::only_keys(src, node, {"name", "when", "set", "stop"}); !s) return s.error();
  if (!node["name"] || !node["set"]) return error_at(src, node, "a classification rule needs name and set");
  ClassificationRule rule;
  auto name = yaml::scalar(src, node["name"], "name");
  if (!name) return name.error();
  rule.name = *name;
  auto when = optional_condition(src, node["when"]);
  if (!when) return when.error();
  rule.when = std::move(*when);
  if (Status s = parse_actions(src, node["set"], rule.set); !s) return s.error();
  if (node["stop"]) {
    auto stop = yaml::boolean(src, node["stop"], "stop");
    if (!stop) return stop.error();
    rule.stop = *stop;
  }
  return rule;
}

Status parse_classification(const Source& src, const YAML::Node& node, ClassificationRules& out) {
  if (Status s = yaml::only_keys(src, node, {"rules"}); !s) return s;
  const YAML::Node& rules = node["rules"];
  if (!rules) return ok_status();
  if (!rules.IsSequence()) return error_at(src, rules, "rules must be a list");
  for (const YAML::Node& r : rules) {
    auto rule = parse_classification_rule(src, r);
    if (!rule) return rule.error();
    out.rules.push_back(std::move(*rule));
  }
  return ok_status();
}

// ---- scoring ---------------------------------------------------------------

Result<WeightRule> parse_weight_rule(const Source& src, const YAML::Node& node) {
  if (Status s = yaml::only_keys(src, node, {"name", "when", "points"}); !s) return s.error();
  if (!node["name"] || !node["points"]) return error_at(src, node, "a weight needs name and points");
  WeightRule rule;
  auto name = yaml::scalar(src, node["name"], "name");
  if (!name) return name.error();
  rule.name = *name;
  auto points = yaml::number(src, node["points"], "points");
  if (!points) return points.error();
  rule.points = *points;
  auto when = optional_condition(src, node["when"]);
  if (!when) return when.error();
  rule.when = std::move(*when);
  return rule;
}

Status parse_fallback(const Source& src, const YAML::Node& node, ScoringConfig& out) {
  if (Status s = yaml::only_keys(src, node, {"base", "weights"}); !s) return s;
  if (node["base"]) {
    auto base = yaml::number(src, node["base"], "base");
    if (!base) return base.error();
    out.fallback_base = *base;
  }
  if (const YAML::Node& weights = node["weights"]) {
    if (!weights.IsSequence()) return error_at(src, weights, "weights must be a list");
    for (const YAML::Node& w : weights) {
      auto rule = parse_weight_rule(src, w);
      if (!rule) return rule.error();
      out.fallback.push_back(std::move(*rule));
    }
  }
  return ok_status();
}

Status parse_count(const Source& src, const YAML::Node& node, const char* what, double min, double& out) {
  auto v = yaml::number(src, node, what);
  if (!v) return v.error();
  if (*v < min) return error_at(src, node, std::string(what) + " must be at least " + std::to_string(min));
  out = *v;
  return ok_status();
}

Status parse_scoring(const Source& src, const YAML::Node& node, ScoringConfig& out) {
  if (Status s = yaml::only_keys(src, node, {"features", "smoothing", "min_history", "top_contributions", "fallback"});
      !s) {
    return s;
  }
  if (const YAML::Node& features = node["features"]) {
    auto list = yaml::string_list(src, features, "features");
    if (!list) return list.error();
    out.features.clear();
    for (const std::string& f : *list) {
      auto path = FieldPath::parse(f);
      if (!path) return error_at(src, features, "unknown canonical field '" + f + "'");
      out.features.push_back(std::move(*path));
    }
  }
  double v = 0;
  if (node["smoothing"]) {
    if (Status s = parse_count(src, node["smoothing"], "smoothing", 1e-6, v); !s) return s;
    out.smoothing = v;
  }
  if (node["min_history"]) {
    if (Status s = parse_count(src, node["min_history"], "min_history", 0, v); !s) return s;
    out.min_history = static_cast<std::uint64_t>(v);
  }
  if (node["top_contributions"]) {
    if (Status s = parse_count(src, node["top_contributions"], "top_contributions", 0, v); !s) return s;
    out.top_contributions = static_cast<std::size_t>(v);
  }
  if (node["fallback"]) return parse_fallback(src, node["fallback"], out);
  return ok_status();
}

// ---- assignment --------------------------------------------------------------

Result<Channel> parse_channel(const Source& src, const std::string& name, const YAML::Node& node) {
  if (Status s = yaml::only_keys(src, node, {"distribution", "members"}); !s) return s.error();
  Channel channel{name, Distribution::round_robin, {}};
  if (node["distribution"]) {
    auto d = yaml::scalar(src, node["distribution"], "distribution");
    if (!d) return d.error();
    if (*d == "capacity") {
      channel.distribution = Distribution::capacity;
    } else if (*d != "round_robin") {
      return error_at(src, node["distribution"], "distribution must be round_robin or capacity");
    }
  }
  if (const YAML::Node& members = node["members"]) {
    if (!members.IsSequence()) return error_at(src, members, "members must be a list");
    for (const YAML::Node& m : members) {
      ChannelMember member;
      if (m.IsScalar()) {
        member.name = m.Scalar();
      } else {
        if (Status s = yaml::only_keys(src, m, {"name", "capacity"}); !s) return s.error();
        auto n = yaml::scalar(src, m["name"], "member name");
        if (!n) return n.error();
        member.name = *n;
        double cap = 0;
        if (m["capacity"]) {
          if (Status s = parse_count(src, m["capacity"], "capacity", 0, cap); !s) return s.error();
        }
        member.capacity = static_cast<std::uint32_t>(cap);
      }
      channel.members.push_back(std::move(member));
    }
  }
  return channel;
}

// Territory and routing shorthands become leaves of one `all`.
Status add_shorthand(const Source& src, const YAML::Node& node, const char* key, const char* path, LeafOp op,
                     Condition& all) {
  if (!node[key]) return ok_status();
  auto list = yaml::string_list(src, node[key], key);
  if (!list) return list.error();
  all.children.push_back(Condition::leaf(*FieldPath::parse(path), op, std::move(*list)));
  return ok_status();
}

Result<AssignmentRule> parse_assignment_rule(const Source& src, const YAML::Node& node) {
  if (Status s = yaml::only_keys(
          src, node, {"name", "channel", "countries", "postal_prefixes", "products", "sources", "score", "when"});
      !s) {
    return s.error();
  }
  if (!node["name"] || !node["channel"]) return error_at(src, node, "an assignment rule needs name and channel");
  AssignmentRule rule;
  rule.name = node["name"].Scalar();
  rule.channel = node["channel"].Scalar();
  Condition all;
  struct Shorthand {
    const char* key;
    const char* path;
    LeafOp op;
  };
  for (Shorthand s :
       {Shorthand{"countries", "prospect.address.country", LeafOp::in},
        Shorthand{"postal_prefixes", "prospect.address.postal_code", LeafOp::prefix},
        Shorthand{"products", "interests.product", LeafOp::in}, Shorthand{"sources", "source", LeafOp::in}}) {
    if (Status st = add_shorthand(src, node, s.key, s.path, s.op, all); !st) return st.error();
  }
  if (node["score"]) {
    Condition range = Condition::leaf(*FieldPath::parse("score"), LeafOp::range);
    if (Status s = parse_range(src, node["score"], range); !s) return s.error();
    all.children.push_back(std::move(range));
  }
  if (node["when"]) {
    auto when = parse_condition(src, node["when"]);
    if (!when) return when.error();
    all.children.push_back(std::move(*when));
  }
  rule.when = std::move(all);
  return rule;
}

Status parse_assignment(const Source& src, const YAML::Node& node, AssignmentConfig& out) {
  if (Status s = yaml::only_keys(src, node, {"channels", "rules", "default_channel"}); !s) return s;
  if (const YAML::Node& channels = node["channels"]) {
    if (!channels.IsMap()) return error_at(src, channels, "channels maps channel names to settings");
    for (const auto& item : channels) {
      auto channel = parse_channel(src, item.first.Scalar(), item.second);
      if (!channel) return channel.error();
      out.channels[channel->name] = std::move(*channel);
    }
  }
  if (const YAML::Node& rules = node["rules"]) {
    if (!rules.IsSequence()) return error_at(src, rules, "rules must be a list");
    for (const YAML::Node& r : rules) {
      auto rule = parse_assignment_rule(src, r);
      if (!rule) return rule.error();
      if (!out.channels.contains(rule->channel)) {
        return error_at(src, r["channel"], "channel '" + rule->channel + "' is not declared under channels");
      }
      out.rules.push_back(std::move(*rule));
    }
  }
  if (node["default_channel"]) {
    out.default_channel = node["default_channel"].Scalar();
    if (!out.channels.contains(out.default_channel)) {
      return error_at(src, node["default_channel"], "default_channel is not declared under channels");
    }
  }
  return ok_status();
}

// ---- aging ------------------------------------------------------------------------

// A lead in a final status never changes again: a rule for it could never act.
bool is_final(LeadStatus status) {
  return status == LeadStatus::converted || status == LeadStatus::declined || status == LeadStatus::closed;
}

Status parse_days(const Source& src, const YAML::Node& node, const char* what, std::optional<double>& out) {
  if (!node) return ok_status();
  auto days = yaml::number(src, node, what);
  if (!days) return days.error();
  if (!(*days > 0)) return error_at(src, node, std::string(what) + " must be more than 0");
  out = *days;
  return ok_status();
}

Result<AgingRule> parse_aging_rule(const Source& src, const YAML::Node& node) {
  if (Status s = yaml::only_keys(src, node, {"status", "channel", "escalate_after_days", "close_after_days"}); !s) {
    return s.error();
  }
  if (!node["status"]) return error_at(src, node, "an aging rule needs status");
  AgingRule rule;
  auto status = parse_enum_node<LeadStatus>(src, node["status"], "status");
  if (!status) return status.error();
  if (is_final(*status)) {
    return error_at(src, node["status"], "a lead that is " + node["status"].Scalar() + " does not age");
  }
  rule.status = *status;
  if (node["channel"]) {
    auto channel = yaml::scalar(src, node["channel"], "channel");
    if (!channel) return channel.error();
    rule.channel = *channel;
  }
  if (Status s = parse_days(src, node["escalate_after_days"], "escalate_after_days", rule.escalate_after_days); !s) {
    return s.error();
  }
  if (Status s = parse_days(src, node["close_after_days"], "close_after_days", rule.close_after_days); !s) {
    return s.error();
  }
  if (!rule.escalate_after_days && !rule.close_after_days) {
    return error_at(src, node, "an aging rule needs escalate_after_days, close_after_days or both");
  }
  if (rule.escalate_after_days && rule.close_after_days && *rule.close_after_days <= *rule.escalate_after_days) {
    return error_at(src, node["close_after_days"], "close_after_days must be more than escalate_after_days");
  }
  return rule;
}

Status parse_aging(const Source& src, const YAML::Node& node, AgingConfig& out) {
  if (Status s = yaml::only_keys(src, node, {"rules", "reminders", "check_every_seconds"}); !s) return s;
  if (node["reminders"]) {
    auto flag = yaml::boolean(src, node["reminders"], "reminders");
    if (!flag) return flag.error();
    out.reminders = *flag;
  }
  if (node["check_every_seconds"]) {
    if (Status s = parse_count(src, node["check_every_seconds"], "check_every_seconds", 1, out.check_every_seconds);
        !s) {
      return s;
    }
  }
  const YAML::Node& rules = node["rules"];
  if (!rules) return ok_status();
  if (!rules.IsSequence()) return error_at(src, rules, "rules must be a list");
  for (const YAML::Node& r : rules) {
    auto rule = parse_aging_rule(src, r);
    if (!rule) return rule.error();
    out.rules.push_back(std::move(*rule));
  }
  return ok_status();
}

// ---- top level -----------------------------------------------------------------

// ---- approval ------------------------------------------------------------------

Result<ApprovalStep> parse_approval_step(const Source& src, const YAML::Node& node) {
  if (!node.IsMap()) return error_at(src, node, "an approval step must be a mapping");
  if (Status s = yaml::only_keys(src, node, {"name", "role", "when"}); !s) return s.error();
  ApprovalStep step;
  auto name = yaml::scalar(src, node["name"], "name");
  if (!name) return name.error();
  step.name = std::move(name).value();
  if (node["role"]) {
    auto role = yaml::scalar(src, node["role"], "role");
    if (!role) return role.error();
    step.role = std::move(role).value();
  }
  auto when = optional_condition(src, node["when"]);
  if (!when) return when.error();
  step.when = std::move(when).value();
  return step;
}

Status parse_approval(const Source& src, const YAML::Node& node, ApprovalConfig& out) {
  if (!node.IsMap()) return error_at(src, node, "approval must be a mapping");
  if (Status s = yaml::only_keys(src, node, {"steps", "before"}); !s) return s;
  if (node["before"]) {
    auto before = yaml::string_list(src, node["before"], "before");
    if (!before) return before.error();
    out.before_accept = out.before_convert = false;
    for (const auto& b : *before) {
      if (b == "accept")
        out.before_accept = true;
      else if (b == "convert")
        out.before_convert = true;
      else
        return error_at(src, node["before"], "before: expected accept and/or convert, not '" + b + "'");
    }
  }
  if (!node["steps"] || !node["steps"].IsSequence()) return error_at(src, node, "approval needs a list of steps");
  for (const auto& item : node["steps"]) {
    auto step = parse_approval_step(src, item);
    if (!step) return step.error();
    for (const auto& known : out.steps) {
      if (known.name == step->name) return error_at(src, item, "approval step '" + step->name + "' named twice");
    }
    out.steps.push_back(std::move(step).value());
  }
  return ok_status();
}

Result<ProcessingConfig> parse_root(const Source& src, YAML::Node root) {
  ProcessingConfig config;
  if (!root || root.IsNull()) return config;
  if (root.IsMap() && root["processing"]) root = root["processing"];
  if (Status s =
          yaml::only_keys(src, root, {"duplicates", "classification", "scoring", "assignment", "aging", "approval"});
      !s) {
    return s.error();
  }
  Status s = ok_status();
  if (root["duplicates"] && s) s = parse_duplicates(src, root["duplicates"], config.duplicates);
  if (root["classification"] && s) s = parse_classification(src, root["classification"], config.classification);
  if (root["scoring"] && s) s = parse_scoring(src, root["scoring"], config.scoring);
  if (root["assignment"] && s) s = parse_assignment(src, root["assignment"], config.assignment);
  if (root["aging"] && s) s = parse_aging(src, root["aging"], config.aging);
  if (root["approval"] && s) s = parse_approval(src, root["approval"], config.approval);
  if (!s) return s.error();
  return config;
}

}  // namespace

const AgingRule* AgingConfig::rule_for(LeadStatus status, const std::string& channel) const {
  for (const auto& rule : rules) {
    if (rule.status == status && (rule.channel.empty() || rule.channel == channel)) return &rule;
  }
  return nullptr;
}

Result<Condition> condition_from_yaml(const YAML::Node& node, const std::string& file) {
  return parse_condition(Source{file}, node);
}

Result<ProcessingConfig> parse_processing_config(std::string_view text, const std::string& file) {
  const Source src{file};
  // yaml-cpp reports syntax errors and bad conversions by exception; they stop here.
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (auto st = unique_keys(src, root); !st) return st.error();
    return parse_root(src, root);
  } catch (const YAML::Exception& e) {
    return Error::make(ErrorCode::invalid, file + ":" + std::to_string(e.mark.line + 1) + ":" +
                                               std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return Error::make(ErrorCode::internal, file + ": " + e.what());
  }
}

Result<ProcessingConfig> load_processing_config(const std::string& path) {
  // A folder opens as a stream on Linux and reads as empty: an empty config, so
  // processing would be silently off.
  if (std::error_code ec; std::filesystem::is_directory(path, ec)) {
    return Error::make(ErrorCode::invalid, path + ": is a directory, not a processing config file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::make(ErrorCode::not_found, path + ": cannot open the processing config");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_processing_config(text.str(), path);
}

}  // namespace leadhub::processing
