// leadhub lead merge SURVIVOR OTHER... | lead assign ID --channel C [--assignee A] [--if-version N]
#include <charconv>

#include "cli_common.hpp"
#include "json/record_json.hpp"

namespace leadhub::cli {

const char* const kLeadActionsUsage =
    "       leadhub lead merge SURVIVOR OTHER...\n"
    "       leadhub lead assign ID --channel C [--assignee A] [--if-version N]\n";

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

int lead_assign(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"channel", true, ""}, {"assignee", true, ""}, {"if-version", true, ""}});
  if (!args) return usage_error(args.error().message, kLeadActionsUsage);
  if (args->positional().size() != 1 || !args->has("channel")) {
    return usage_error("lead assign needs an ID and --channel", kLeadActionsUsage);
  }
  auto id = parse_id(args->positional()[0], "id");
  if (!id) return report(id.error());
  AssignLeadCommand cmd{*id, args->get_or("channel", ""), args->get_or("assignee", ""), std::nullopt, ctx.actor};
  if (auto v = args->get("if-version")) {
    std::uint64_t version = 0;
    const auto res = std::from_chars(v->data(), v->data() + v->size(), version);
    if (res.ec != std::errc{} || res.ptr != v->data() + v->size()) {
      return usage_error("--if-version needs a number", kLeadActionsUsage);
    }
    cmd.expected_version = version;
  }
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto assigned = (*store)->assign_lead(std::move(cmd));
  if (!assigned) return report(assigned.error());
  print_line(to_json(*assigned));
  return kExitOk;
}

}  // namespace leadhub::cli
