// Conditions on canonical fields, shared by classification and assignment
// rules: leaves (equals, in, prefix, regex, range, present, absent) combined
// with all / any / not, nested to any depth.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "model/lead.hpp"
#include "processing/field_path.hpp"

namespace leadhub::processing {

enum class ConditionKind { all, any, negate, leaf };
enum class LeafOp { equals, in, prefix, regex, range, present, absent };

struct Condition {
  ConditionKind kind = ConditionKind::all;  // an empty `all` is true: a rule without `when`
  std::vector<Condition> children;          // all / any / negate (one child)

  FieldPath field;
  LeafOp op = LeafOp::present;
  std::vector<std::string> operands;        // equals (one), in, prefix
  std::shared_ptr<const std::regex> regex;  // compiled once at load; shared by copies
  std::optional<double> min, max;           // range, inclusive

  static Condition leaf(FieldPath field, LeafOp op, std::vector<std::string> operands = {});
  static Condition all_of(std::vector<Condition> children);
  static Condition any_of(std::vector<Condition> children);
};

// A leaf on a multi-valued path (interests.product) holds when any value does;
// `absent` holds when there is no value at all. Comparisons are exact (case
// sensitive); canonical codes are already normalized by validation.
bool evaluate(const Condition& condition, const Lead& lead);

}  // namespace leadhub::processing
