// leadhub lead merge | assign | convert | approvals | approve
#include <charconv>

#include "cli_common.hpp"
#include "json/json_writer.hpp"
#include "json/record_json.hpp"

namespace leadhub::cli {

const char* const kLeadActionsUsage =
    "       leadhub lead merge SURVIVOR OTHER...\n"
    "       leadhub lead assign ID --channel C [--assignee A] [--if-version N]\n"
    "       leadhub lead convert ID [--opportunity REF] [--if-version N]\n"
    "       leadhub lead approvals ID\n"
    "       leadhub lead approve ID --step S [--reject] [--comment TEXT]\n";

int lead_merge(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {});
  if (!args) return usage_error(args.error().message, kLeadActionsUsage);
  if (args->positional().size() < 2)
    return usage_error("lead merge needs the survivor and 1-20 others", kLeadActionsUsage);
  MergeLeadsCommand cmd;
  cmd.actor = ctx.actor;
  for (std::size_t i = 0; i < args->positional().size(); ++i) {
    auto id = parse_id(args->positional()[i], i == 0 ? "survivor" : "other");
    if (!id) return report(id.error());
    if (i == 0)
      cmd.survivor = *id;
    else
      cmd.others.push_back(*id);
  }
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto merged = (*store)->merge_leads(std::move(cmd));
  if (!merged) return report(merged.error());
  print_line(to_json(*merged));
  return kExitOk;
}

namespace {

Result<std::optional<std::uint64_t>> if_version(const Args& args) {
  const auto v = args.get("if-version");
  if (!v) return std::optional<std::uint64_t>{};
  const std::string_view text = *v;
  std::uint64_t version = 0;
  const auto res = std::from_chars(text.data(), text.data() + text.size(), version);
  if (res.ec != std::errc{} || res.ptr != text.data() + text.size()) {
    return Error::invalid({{"--if-version", "needs a number"}});
  }
  return std::optional<std::uint64_t>{version};
}

void print_approvals(const ApprovalState& state) { print_line(to_json(state)); }

}  // namespace

int lead_convert(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"opportunity", true, ""}, {"if-version", true, ""}});
  if (!args) return usage_error(args.error().message, kLeadActionsUsage);
  if (args->positional().size() != 1) return usage_error("lead convert takes one ID", kLeadActionsUsage);
  auto id = parse_id(args->positional()[0], "id");
  if (!id) return report(id.error());
  auto version = if_version(*args);
  if (!version) return usage_error(version.error().fields.front().reason, kLeadActionsUsage);
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto converted = (*store)->convert_lead({*id, args->get_or("opportunity", ""), *version, ctx.actor});
  if (!converted) return report(converted.error());
  print_line(to_json(*converted));
  return kExitOk;
}

int lead_approvals(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {});
  if (!args || args->positional().size() != 1) return usage_error("lead approvals takes one ID", kLeadActionsUsage);
  auto id = parse_id(args->positional()[0], "id");
  if (!id) return report(id.error());
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto state = (*store)->read_approvals(*id);
  if (!state) return report(state.error());
  print_approvals(*state);
  return kExitOk;
}

int lead_approve(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"step", true, ""}, {"reject", false, ""}, {"comment", true, ""}});
  if (!args) return usage_error(args.error().message, kLeadActionsUsage);
  if (args->positional().size() != 1 || !args->has("step")) {
    return usage_error("lead approve needs an ID and --step", kLeadActionsUsage);
  }
  auto id = parse_id(args->positional()[0], "id");
  if (!id) return report(id.error());
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto state =
      (*store)->decide_approval({*id, args->get_or("step", ""), !args->has("reject"), args->get_or("comment", ""),
                                 ctx.actor, std::nullopt});  // the operator on the hub's machine decides any step
  if (!state) return report(state.error());
  print_approvals(*state);
  return kExitOk;
}

int lead_assign(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"channel", true, ""}, {"assignee", true, ""}, {"if-version", true, ""}});
  if (!args) return usage_error(args.error().message, kLeadActionsUsage);
  if (args->positional().size() != 1 || !args->has("channel")) {
    return usage_error("lead assign needs an ID and --channel", kLeadActionsUsage);
  }
  auto id = parse_id(args->positional()[0], "id");
  if (!id) return report(id.error());
  auto version = if_version(*args);
  if (!version) return usage_error(version.error().fields.front().reason, kLeadActionsUsage);
  AssignLeadCommand cmd{*id, args->get_or("channel", ""), args->get_or("assignee", ""), *version, ctx.actor};
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto assigned = (*store)->assign_lead(std::move(cmd));
  if (!assigned) return report(assigned.error());
  print_line(to_json(*assigned));
  return kExitOk;
}

}  // namespace leadhub::cli
