#include "processing/condition.hpp"

#include <algorithm>
#include <charconv>

namespace leadhub::processing {
namespace {

std::optional<double> to_number(const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool value_matches(const Condition& c, const std::string& value) {
  switch (c.op) {
    case LeafOp::equals:
    case LeafOp::in:
      return std::find(c.operands.begin(), c.operands.end(), value) != c.operands.end();
    case LeafOp::prefix:
      return std::any_of(c.operands.begin(), c.operands.end(),
                         [&](const std::string& p) { return value.starts_with(p); });
    case LeafOp::regex:
      return c.regex && std::regex_search(value, *c.regex);
    case LeafOp::range: {
      std::optional<double> number = to_number(value);
      if (!number) return false;  // "n/a" is outside every range
      return (!c.min || *number >= *c.min) && (!c.max || *number <= *c.max);
    }
    case LeafOp::present:
    case LeafOp::absent:
      return true;
  }
  return false;
}

bool evaluate_leaf(const Condition& c, const Lead& lead) {
  const std::vector<std::string> values = c.field.values(lead);
  if (c.op == LeafOp::absent) return values.empty();
  if (c.op == LeafOp::present) return !values.empty();
  return std::any_of(values.begin(), values.end(), [&](const std::string& v) { return value_matches(c, v); });
}

}  // namespace

Condition Condition::leaf(FieldPath field, LeafOp op, std::vector<std::string> operands) {
  Condition c;
  c.kind = ConditionKind::leaf;
  c.field = std::move(field);
  c.op = op;
  c.operands = std::move(operands);
  return c;
}

Condition Condition::all_of(std::vector<Condition> children) {
  Condition c;
  c.kind = ConditionKind::all;
  c.children = std::move(children);
  return c;
}

Condition Condition::any_of(std::vector<Condition> children) {
  Condition c;
  c.kind = ConditionKind::any;
  c.children = std::move(children);
  return c;
}

bool evaluate(const Condition& condition, const Lead& lead) {
  switch (condition.kind) {
    case ConditionKind::all:
      return std::all_of(condition.children.begin(), condition.children.end(),
                         [&](const Condition& c) { return evaluate(c, lead); });
    case ConditionKind::any:
      return std::any_of(condition.children.begin(), condition.children.end(),
                         [&](const Condition& c) { return evaluate(c, lead); });
    case ConditionKind::negate:
      return !condition.children.empty() && !evaluate(condition.children.front(), lead);
    case ConditionKind::leaf:
      return evaluate_leaf(condition, lead);
  }
  return false;
}

}  // namespace leadhub::processing
