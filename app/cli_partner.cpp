// leadhub partner create|get
#include <iostream>

#include "cli_common.hpp"
#include "json/record_json.hpp"

namespace leadhub::cli {
namespace {

const char* const kPartnerUsage =
    "usage: leadhub partner create [FILE|-] [--json TEXT] [--idempotency-key KEY]\n"
    "       leadhub partner get ID\n"
    "\n"
    "Business partners (accounts and contacts) are canonical JSON\n"
    "(schemas/business-partner.schema.json). A partner whose external reference is\n"
    "already stored is not created twice: the stored one is printed.\n";

int partner_create(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"json", true, ""}, {"idempotency-key", true, ""}});
  if (!args) return usage_error(args.error().message, kPartnerUsage);
  auto doc = read_document(*args, 0);
  if (!doc) return report(doc.error());
  auto partner = partner_from_json(*doc, DecodeMode::input);
  if (!partner) return report(partner.error());
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto created = (*store)->create_partner({std::move(partner).value(), ctx.actor, args->get_or("idempotency-key", "")});
  if (!created) return report(created.error());
  print_line(to_json(created->record));
  return kExitOk;
}

int partner_get(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {});
  if (!args) return usage_error(args.error().message, kPartnerUsage);
  if (args->positional().size() != 1) return usage_error("partner get takes one ID", kPartnerUsage);
  auto id = parse_id(args->positional()[0], "id");
  if (!id) return report(id.error());
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto partner = (*store)->read_partner(*id);
  if (!partner) return report(partner.error());
  print_line(to_json(*partner));
  return kExitOk;
}

}  // namespace

int run_partner(Context& ctx, const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
    std::cout << kPartnerUsage;
    return argv.empty() ? kExitUsage : kExitOk;
  }
  const std::vector<std::string> rest(argv.begin() + 1, argv.end());
  for (const auto& a : rest) {
    if (a == "--help" || a == "-h") {
      std::cout << kPartnerUsage;
      return kExitOk;
    }
  }
  if (argv[0] == "create") return partner_create(ctx, rest);
  if (argv[0] == "get") return partner_get(ctx, rest);
  return usage_error("unknown partner command '" + argv[0] + "'", kPartnerUsage);
}

}  // namespace leadhub::cli
