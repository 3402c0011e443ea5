// leadhub lead create|get|find|change|audit (merge and assign: cli_lead_actions.cpp)
#include <charconv>
#include <iostream>

#include "cli_common.hpp"
#include "json/decode.hpp"
#include "json/record_json.hpp"
#include "mapping/spec.hpp"
#include "store/audit_json.hpp"
#include "util/time_format.hpp"
#include "util/time_or_date.hpp"

namespace leadhub::cli {
namespace {

const char* const kLeadUsage =
    "usage: leadhub lead create [FILE|-] [--json TEXT] [--idempotency-key KEY]\n"
    "       leadhub lead get ID [--as MAPPING]\n"
    "       leadhub lead find [--status S] [--owner CHANNEL] [--source S] [--campaign C] [--email E]\n"
    "                         [--phone P] [--ref SYSTEM:ID] [--changed-since TIME] [--limit N] [--after ID]\n"
    "                         [--as MAPPING]\n"
    "       leadhub lead change ID (--if-version N | --force) [FILE|-] [--json TEXT]\n"
    "       leadhub lead audit ID\n"
    "       leadhub lead merge SURVIVOR OTHER...\n"
    "       leadhub lead assign ID --channel C [--assignee A] [--if-version N]\n"
    "       leadhub lead convert ID [--opportunity REF] [--if-version N]\n"
    "       leadhub lead approvals ID\n"
    "       leadhub lead approve ID --step S [--reject] [--comment TEXT]\n"
    "       leadhub lead duplicates [FILE|-] [--json TEXT]\n"
    "\n"
    "Leads are canonical JSON (schemas/lead.schema.json). create prints the stored lead;\n"
    "change applies a JSON Merge Patch (RFC 7386) if the lead is still at version N;\n"
    "find prints {\"items\": [...], \"next\": ID or null}: pass next as --after for the next page;\n"
    "--changed-since takes an RFC 3339 time or a date (2026-11-01 is midnight UTC).\n"
    "--as MAPPING prints the result in a party's format (the mapping's outbound section).\n"
    "merge moves the others' notes, attachments and references to the survivor and closes\n"
    "them as its duplicates; assign hands the lead to a channel (and the member its\n"
    "distribution picks unless --assignee names one); convert makes a qualified or accepted\n"
    "lead converted once its approvals (processing: approval) are given. duplicates prints\n"
    "what the duplicate check (processing: duplicates) finds for a lead, storing nothing.\n";

// The lead of FILE, - (stdin) or --json TEXT.
Result<Lead> lead_argument(const Args& args) {
  auto doc = read_document(args, 0);
  if (!doc) return doc.error();
  return lead_from_json(*doc, DecodeMode::input);
}

int lead_create(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"json", true, ""}, {"idempotency-key", true, ""}});
  if (!args) return usage_error(args.error().message, kLeadUsage);
  auto lead = lead_argument(*args);
  if (!lead) return report(lead.error());
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto created = (*store)->create_lead({std::move(lead).value(), ctx.actor, args->get_or("idempotency-key", "")});
  if (!created) return report(created.error());
  print_line(to_json(created->record));
  return kExitOk;
}

int lead_duplicates(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"json", true, ""}});
  if (!args) return usage_error(args.error().message, kLeadUsage);
  auto lead = lead_argument(*args);
  if (!lead) return report(lead.error());
  if (!ctx.config.processing) return config_error("no `processing:` in the config: there is no duplicate check");
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto checked = (*store)->check_duplicates(std::move(lead).value(), ctx.actor);
  if (!checked) return report(checked.error());
  print_line(checked->json);
  return kExitOk;
}

// Prints leads through a mapping's outbound section (--as NAME).
int print_as(const Context& ctx, const std::string& name, const std::vector<Lead>& leads,
             const mapping::FindPage& page) {
  auto spec = mapping::find_mapping(name, {ctx.config.mappings_folder});
  if (!spec) return report(spec.error());
  if (!(*spec)->outbound) {
    return report(Error::make(ErrorCode::invalid, "mapping " + name + " has no outbound section"));
  }
  auto text = mapping::render_leads(*(*spec)->outbound, leads, page);
  if (!text) return report(text.error());
  std::cout << *text;
  if (!text->empty() && text->back() != '\n') std::cout << '\n';
  return kExitOk;
}

int lead_get(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"as", true, ""}});
  if (!args) return usage_error(args.error().message, kLeadUsage);
  if (args->positional().size() != 1) return usage_error("lead get takes one ID", kLeadUsage);
  auto id = parse_id(args->positional()[0], "id");
  if (!id) return report(id.error());
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  if (auto as = args->get("as")) {
    auto lead = (*store)->read_lead(*id);
    if (!lead) return report(lead.error());
    return print_as(ctx, *as, {*lead}, {1, ""});
  }
  auto json = (*store)->read_lead_json(*id);
  if (!json) return report(json.error());
  print_line(*json);
  return kExitOk;
}

// --NAME as one of the enum's values; an error lists them.
template <typename E>
void enum_option(const Args& args, const std::string& name, std::optional<E>& out, std::vector<FieldError>& errors) {
  const auto text = args.get(name);
  if (!text) return;
  if (auto reason = json::enum_or_reason(*text, out)) errors.push_back({"--" + name, std::move(*reason)});
}

Result<LeadQuery> query_from(const Args& args) {
  LeadQuery q;
  std::vector<FieldError> errors;
  enum_option(args, "status", q.status, errors);
  enum_option(args, "source", q.source, errors);
  q.owner_channel = args.get_or("owner", "");
  q.campaign = args.get_or("campaign", "");
  q.email = args.get_or("email", "");
  q.phone = args.get_or("phone", "");
  if (auto r = args.get("ref")) {
    const auto colon = r->find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == r->size()) {
      errors.push_back({"--ref", "expected SYSTEM:ID"});
    } else {
      q.external_ref = ExternalRef{r->substr(0, colon), r->substr(colon + 1)};
    }
  }
  if (auto t = args.get("changed-since")) {
    if (auto ms = parse_time_or_date(*t))
      q.changed_since = *ms;
    else
      errors.push_back({"--changed-since", kTimeOrDateExpected});
  }
  if (const auto l = args.get("limit")) {
    const std::string_view text = *l;
    std::size_t n = 0;
    const auto res = std::from_chars(text.data(), text.data() + text.size(), n);
    if (res.ec != std::errc{} || res.ptr != text.data() + text.size())
      errors.push_back({"--limit", "not a number"});
    else
      q.limit = n;
  }
  if (auto a = args.get("after")) {
    if (auto id = RecordId::parse(*a))
      q.after = *id;
    else
      errors.push_back({"--after", "not a leadhub id"});
  }
  if (!errors.empty()) return Error::invalid(std::move(errors));
  return q;
}

int lead_find(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"status", true, ""},
                                 {"owner", true, ""},
                                 {"source", true, ""},
                                 {"campaign", true, ""},
                                 {"email", true, ""},
                                 {"phone", true, ""},
                                 {"ref", true, ""},
                                 {"changed-since", true, ""},
                                 {"limit", true, ""},
                                 {"after", true, ""},
                                 {"as", true, ""}});
  if (!args) return usage_error(args.error().message, kLeadUsage);
  if (!args->positional().empty()) return usage_error("lead find takes options only", kLeadUsage);
  auto query = query_from(*args);
  if (!query) return report(query.error());
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto result = (*store)->find_leads(*query);
  if (!result) return report(result.error());
  if (auto as = args->get("as")) {
    return print_as(ctx, *as, result->items,
                    {result->items.size(), result->next.empty() ? "" : result->next.to_string()});
  }
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("items").begin_array();
  for (const auto& lead : result->items) write_json(w, lead);
  w.end_array().key("next");
  if (result->next.empty())
    w.null();
  else
    w.value(result->next.to_string());
  w.end_object();
  print_line(out);
  return kExitOk;
}

int lead_change(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"json", true, ""}, {"if-version", true, ""}, {"force", false, ""}});
  if (!args) return usage_error(args.error().message, kLeadUsage);
  if (args->positional().empty()) return usage_error("lead change needs an ID", kLeadUsage);
  auto id = parse_id(args->positional()[0], "id");
  if (!id) return report(id.error());
  ChangeLeadCommand cmd;
  cmd.id = *id;
  cmd.actor = ctx.actor;
  if (auto v = args->get("if-version")) {
    std::uint64_t version = 0;
    const auto res = std::from_chars(v->data(), v->data() + v->size(), version);
    if (res.ec != std::errc{} || res.ptr != v->data() + v->size())
      return usage_error("--if-version needs a number", kLeadUsage);
    cmd.expected_version = version;
  } else if (!args->has("force")) {
    return usage_error("lead change needs --if-version N (the version you read) or --force", kLeadUsage);
  }
  auto doc = read_document(*args, 1);
  if (!doc) return report(doc.error());
  cmd.patch_json = std::move(doc).value();
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto changed = (*store)->change_lead(std::move(cmd));
  if (!changed) return report(changed.error());
  print_line(to_json(*changed));
  return kExitOk;
}

int lead_audit(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {});
  if (!args) return usage_error(args.error().message, kLeadUsage);
  if (args->positional().size() != 1) return usage_error("lead audit takes one ID", kLeadUsage);
  auto id = parse_id(args->positional()[0], "id");
  if (!id) return report(id.error());
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto entries = (*store)->read_audit(*id);
  if (!entries) return report(entries.error());
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (const auto& e : *entries) write_json(w, e);
  w.end_array();
  print_line(out);
  return kExitOk;
}

}  // namespace

int run_lead(Context& ctx, const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
    std::cout << kLeadUsage;
    return argv.empty() ? kExitUsage : kExitOk;
  }
  const std::vector<std::string> rest(argv.begin() + 1, argv.end());
  for (const auto& a : rest) {
    if (a == "--help" || a == "-h") {
      std::cout << kLeadUsage;
      return kExitOk;
    }
  }
  if (argv[0] == "create") return lead_create(ctx, rest);
  if (argv[0] == "get") return lead_get(ctx, rest);
  if (argv[0] == "find") return lead_find(ctx, rest);
  if (argv[0] == "change") return lead_change(ctx, rest);
  if (argv[0] == "audit") return lead_audit(ctx, rest);
  if (argv[0] == "merge") return lead_merge(ctx, rest);
  if (argv[0] == "assign") return lead_assign(ctx, rest);
  if (argv[0] == "convert") return lead_convert(ctx, rest);
  if (argv[0] == "approvals") return lead_approvals(ctx, rest);
  if (argv[0] == "approve") return lead_approve(ctx, rest);
  if (argv[0] == "duplicates") return lead_duplicates(ctx, rest);
  return usage_error("unknown lead command '" + argv[0] + "'", kLeadUsage);
}

}  // namespace leadhub::cli
