// leadhub map --mapping NAME FILE: the dry run. Maps a partner's file and prints
// each record's canonical command (or its errors) without storing anything.
#include <fstream>
#include <iostream>

#include "cli_common.hpp"
#include "connectors/framework/inflate_stream.hpp"
#include "json/record_json.hpp"
#include "mapping/engine.hpp"
#include "model/validation.hpp"
#include "util/time_format.hpp"

namespace leadhub::cli {
namespace {

const char* const kMapUsage =
    "usage: leadhub map --mapping NAME FILE|-\n"
    "\n"
    "Maps FILE with config/mappings/NAME.yaml (or a path to a mapping file) and prints\n"
    "one JSON line per record: its location, the operation and the canonical lead (or\n"
    "patch, target, query), or every error with the source field, the canonical field\n"
    "and the reason. Nothing is stored. Last line: a summary. Exit 1 if any record failed.\n"
    "A gzip-compressed FILE (whatever its name) is decoded as it is read.\n";

void write_query(JsonWriter& w, const LeadQuery& q) {
  w.key("query").begin_object();
  if (q.status) w.key("status").value(to_string(*q.status));
  if (!q.owner_channel.empty()) w.key("owner").value(q.owner_channel);
  if (q.source) w.key("source").value(to_string(*q.source));
  if (!q.campaign.empty()) w.key("campaign").value(q.campaign);
  if (!q.email.empty()) w.key("email").value(q.email);
  if (!q.phone.empty()) w.key("phone").value(q.phone);
  if (q.changed_since) w.key("changed_since").value(format_timestamp(*q.changed_since));
  w.key("limit").value(static_cast<std::uint64_t>(q.limit));
  if (!q.after.empty()) w.key("after").value(q.after.to_string());
  w.end_object();
}

void write_record(JsonWriter& w, const mapping::MappedRecord& m, const Actor& actor) {
  w.begin_object();
  w.key("record").value(m.location);
  w.key("operation").value(mapping::to_string(m.operation));
  if (!m.ok()) {
    w.key("errors").begin_array();
    for (const auto& e : m.errors) {
      w.begin_object();
      w.key("code").value(mapping::to_string(e.code));
      if (!e.source.empty()) w.key("source").value(e.source);
      if (!e.field.empty()) w.key("field").value(e.field);
      w.key("reason").value(e.reason).end_object();
    }
    w.end_array();
  } else if (m.lead) {
    Lead shown = *m.lead;  // as the store would keep it: notes without a time get "now"
    stamp_new_notes(shown, actor, SystemClock::instance().now_ms());
    w.key("lead");
    write_json(w, shown);
  } else {
    if (!m.target_id.empty()) w.key("target_id").value(m.target_id.to_string());
    if (m.target_ref)
      w.key("target_ref")
          .begin_object()
          .key("system")
          .value(m.target_ref->system)
          .key("id")
          .value(m.target_ref->id)
          .end_object();
    if (m.expected_version) w.key("expected_version").value(*m.expected_version);
    if (m.operation == mapping::Operation::find) write_query(w, m.query);
    if (m.operation == mapping::Operation::change) {
      w.key("patch").raw(m.document);
      if (!m.append_notes.empty()) {
        w.key("append_notes").begin_array();
        for (const auto& note : m.append_notes) {
          w.begin_object();
          if (note.at != 0) w.key("at").value(format_timestamp(note.at));
          if (!note.author.empty()) w.key("author").value(note.author);
          w.key("text").value(note.text).end_object();
        }
        w.end_array();
      }
    }
  }
  w.end_object();
}

}  // namespace

int run_map(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"mapping", true, ""}, {"help", false, ""}});
  if (!args) return usage_error(args.error().message, kMapUsage);
  if (args->has("help")) {
    std::cout << kMapUsage;
    return kExitOk;
  }
  if (!args->has("mapping") || args->positional().size() != 1)
    return usage_error("map needs --mapping NAME and one FILE", kMapUsage);
  auto spec = mapping::find_mapping(*args->get("mapping"), {ctx.config.mappings_folder});
  if (!spec) return report(spec.error());
  const mapping::Mapper mapper(std::move(spec).value());
  const std::string& name = args->positional()[0];
  InputFile input;
  if (auto st = input.open(name); !st) return report(st.error());
  connectors::MaybeCompressedInput decoded(input.stream());  // a .gz file is read decoded, as import does
  std::istream& in = decoded.stream();
  std::size_t records = 0, failed = 0;
  std::vector<std::string> warnings;
  std::string line;
  auto st = mapper.map_stream(in, [&](mapping::MappedRecord&& m) {
    ++records;
    warnings.insert(warnings.end(), m.notices.begin(), m.notices.end());
    if (!m.ok()) ++failed;
    line.clear();
    JsonWriter w(line);
    write_record(w, m, ctx.actor);
    std::cout << line << '\n';
    return true;
  });
  if (auto broken = decoded.error()) st = std::move(*broken);
  std::string summary;
  JsonWriter w(summary);
  w.begin_object().key("summary").begin_object();
  w.key("mapping").value(mapper.spec().name);
  w.key("records").value(static_cast<std::uint64_t>(records));
  w.key("ok").value(static_cast<std::uint64_t>(records - failed));
  w.key("failed").value(static_cast<std::uint64_t>(failed));
  if (!st) w.key("document_error").value(st.error().message);
  // As `leadhub import` says it: an empty file, or a header alone, is no mistake to
  // report as one, but "records": 0 alone looks like the dry run did not run.
  if (st && records == 0) warnings.emplace_back("the file holds no records");
  if (!warnings.empty()) {
    w.key("warnings").begin_array();
    for (const auto& warning : warnings) w.value(warning);
    w.end_array();
  }
  w.end_object().end_object();
  print_line(summary);
  return failed == 0 && st ? kExitOk : kExitPartial;
}

}  // namespace leadhub::cli
