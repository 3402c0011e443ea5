// ReportLeads from the secondary indexes, in one read transaction.
//
// Plan, for a store of N leads:
//  1. Filters on campaign, source and channel intersect the sorted id lists of
//     their keys (ids read a page at a time with MDB_GET_MULTIPLE: the indexes
//     are DUPFIXED).
//  2. The status index gives every lead's status: of its ids (all N, 8 bytes
//     each), those in the created range (ids are time-ordered, so a created range
//     is an id range) that the filters admit become the selection, an id-sorted
//     list of (id, status).
//  3. Pipelines by channel, source and campaign walk every key's ids once and look
//     each up in the selection (galloping search: the ids ascend, so each lookup
//     starts where the last one ended).
//  4. Time to qualify walks the report history's "qualified" database over the
//     created range (16 bytes a lead that was ever qualified), keeps the selected
//     leads' durations in id order, and the source walk of step 3 looks its ids up
//     there too, for the per-source figures.
//  5. Created per day and by status come from the selection; aging from the due
//     index's entries up to a week from now and from the ids of the leads aging
//     escalated or closed (store/report_history.hpp).
// No lead record is read. The cost is about 4 x N ids read from the indexes (status,
// channel, source, campaign), 16 bytes per qualified lead, and one sort of the
// selection, N (id, status) pairs without filters: 16 bytes a lead of memory, plus
// 16 per qualified lead, freed at the end.
#include "store/lead_report.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "json/decode.hpp"
#include "json/json_writer.hpp"
#include "model/validation.hpp"
#include "store/aging.hpp"
#include "store/keys.hpp"
#include "store/lead_store.hpp"
#include "store/lmdb_env.hpp"
#include "store/report_history.hpp"
#include "util/time_format.hpp"
#include "util/time_or_date.hpp"

namespace leadhub {

using store::Cursor;
using store::ReadTxn;

namespace {

using IdStatus = std::pair<RecordId, std::uint8_t>;
using Selection = std::vector<IdStatus>;  // sorted by id

constexpr TimeMs kDayMs = store::aging::kDayMs;

// The created range as ids: [lo, hi).
struct IdRange {
  RecordId lo;
  RecordId hi{UINT64_MAX};
  bool contains(RecordId id) const { return id >= lo && id < hi; }
};

// The smallest id created at or after `at`.
RecordId id_floor(TimeMs at) {
  if (at <= RecordId::kEpochMs) return RecordId();
  const auto ms = static_cast<std::uint64_t>(at - RecordId::kEpochMs);
  constexpr int kShift = RecordId::kPartitionBits + RecordId::kSequenceBits;
  if (ms >= (std::uint64_t{1} << (64 - kShift))) return RecordId(UINT64_MAX);
  return RecordId(ms << kShift);
}

IdRange id_range(const ReportQuery& q) {
  IdRange r;
  if (q.created_since) r.lo = id_floor(*q.created_since);
  if (q.created_until) r.hi = id_floor(*q.created_until);
  return r;
}

// Calls fn(id) for each id under `key` in a DUPFIXED index, ascending.
template <typename Fn>
void for_each_id(const ReadTxn& txn, MDB_dbi dbi, std::string_view key, Fn fn) {
  Cursor c(txn, dbi);
  MDB_val k = store::to_val(key);
  MDB_val v{};
  if (c.get(k, v, MDB_SET) != 0) return;
  for (int rc = c.get(k, v, MDB_GET_MULTIPLE); rc == 0; rc = c.get(k, v, MDB_NEXT_MULTIPLE)) {
    const auto* bytes = static_cast<const unsigned char*>(v.mv_data);
    for (std::size_t at = 0; at + 8 <= v.mv_size; at += 8) fn(RecordId::from_key(bytes + at));
  }
}

// Calls fn(key, count) for each key of an index, in key order.
template <typename Fn>
void for_each_key(const ReadTxn& txn, MDB_dbi dbi, Fn fn) {
  Cursor c(txn, dbi);
  MDB_val k{};
  MDB_val v{};
  for (int rc = c.get(k, v, MDB_FIRST); rc == 0; rc = c.get(k, v, MDB_NEXT_NODUP)) fn(store::to_view(k), c.count());
}

std::vector<RecordId> ids_in_range(const ReadTxn& txn, MDB_dbi dbi, std::string_view key, IdRange range) {
  std::vector<RecordId> out;
  for_each_id(txn, dbi, key, [&](RecordId id) {
    if (range.contains(id)) out.push_back(id);
  });
  return out;
}

// Why a campaign or channel filter names a key no lead has ever had, or nullopt
// when some lead has it. Such a filter is a slip far more often than a question
// (a report of 0 leads would look like an answer), so it is refused, naming a key
// that differs only in case when there is one.
std::optional<std::string> unknown_key_reason(const ReadTxn& txn, MDB_dbi dbi, std::string_view key,
                                              std::string_view what) {
  Cursor c(txn, dbi);
  MDB_val k = store::to_val(key);
  MDB_val v{};
  if (c.get(k, v, MDB_SET) == 0) return std::nullopt;
  std::string reason = "no lead has the " + std::string(what) + " '" + std::string(key) + "'";
  std::string near;
  const std::string lowered = lower_ascii(key);
  for_each_key(txn, dbi, [&](std::string_view stored, std::size_t) {
    if (near.empty() && stored.size() == key.size() && lower_ascii(stored) == lowered) near = stored;
  });
  if (!near.empty()) return reason + " (did you mean '" + near + "'? names are compared exactly, case included)";
  return reason + " (names are compared exactly, case included)";
}

Status check_filter_keys(const ReadTxn& txn, const ReportQuery& q) {
  std::vector<FieldError> errors;
  if (!q.campaign.empty()) {
    if (auto why = unknown_key_reason(txn, txn.dbi().by_campaign, q.campaign, "campaign")) {
      errors.push_back({"campaign", std::move(*why)});
    }
  }
  if (!q.owner_channel.empty() && q.refuse_unknown_channel) {
    if (auto why = unknown_key_reason(txn, txn.dbi().by_owner, q.owner_channel, "owner channel")) {
      errors.push_back({"channel", std::move(*why)});
    }
  }
  if (!errors.empty()) return Error::invalid(std::move(errors));
  return ok_status();
}

// The ids every equality filter admits, or nullopt when there is no such filter.
std::optional<std::vector<RecordId>> filtered_ids(const ReadTxn& txn, const ReportQuery& q, IdRange range) {
  const store::Dbis& d = txn.dbi();
  std::vector<std::pair<MDB_dbi, std::string>> filters;
  if (!q.campaign.empty()) filters.emplace_back(d.by_campaign, q.campaign);
  if (q.source) filters.emplace_back(d.by_source, std::string(to_string(*q.source)));
  if (!q.owner_channel.empty()) filters.emplace_back(d.by_owner, q.owner_channel);
  if (filters.empty()) return std::nullopt;
  std::vector<RecordId> ids = ids_in_range(txn, filters[0].first, filters[0].second, range);
  for (std::size_t i = 1; i < filters.size() && !ids.empty(); ++i) {
    const auto other = ids_in_range(txn, filters[i].first, filters[i].second, range);
    std::vector<RecordId> both;
    std::set_intersection(ids.begin(), ids.end(), other.begin(), other.end(), std::back_inserter(both));
    ids = std::move(both);
  }
  return ids;
}

RecordId id_of(RecordId id) { return id; }
RecordId id_of(const IdStatus& entry) { return entry.first; }
// The durations to first qualification of the selected leads, sorted by id.
using Qualified = std::vector<std::pair<RecordId, TimeMs>>;
RecordId id_of(const Qualified::value_type& entry) { return entry.first; }
bool id_less(const IdStatus& entry, RecordId id) { return entry.first < id; }

// Finds ids in an id-sorted list in ascending order: each search gallops on from
// the previous hit, so a walk over many ids costs about log(gap) a lookup.
template <typename T>
class AscendingLookup {
 public:
  explicit AscendingLookup(const std::vector<T>& sorted) : list_(sorted) {}

  const T* find(RecordId id) {
    std::size_t step = 1;
    std::size_t hi = pos_;
    while (hi < list_.size() && id_of(list_[hi]) < id) {
      pos_ = hi + 1;
      hi += step;
      step *= 2;
    }
    const auto end = list_.begin() + static_cast<std::ptrdiff_t>(std::min(hi + 1, list_.size()));
    const auto it = std::lower_bound(list_.begin() + static_cast<std::ptrdiff_t>(pos_), end, id,
                                     [](const T& entry, RecordId key) { return id_of(entry) < key; });
    pos_ = static_cast<std::size_t>(it - list_.begin());
    return it != list_.end() && id_of(*it) == id ? &*it : nullptr;
  }

 private:
  const std::vector<T>& list_;
  std::size_t pos_ = 0;
};

// The leads the report counts, with their status, sorted by id: those in the
// range, and with filters only the ids they admit (then only those are sorted).
Selection select(const ReadTxn& txn, IdRange range, const std::optional<std::vector<RecordId>>& filtered) {
  Selection out;
  const auto names = enum_names<LeadStatus>();
  for (std::size_t s = 0; s < names.size(); ++s) {
    std::optional<AscendingLookup<RecordId>> admitted;
    if (filtered) admitted.emplace(*filtered);
    for_each_id(txn, txn.dbi().by_status, names[s], [&](RecordId id) {
      if (range.contains(id) && (!admitted || admitted->find(id))) out.emplace_back(id, static_cast<std::uint8_t>(s));
    });
  }
  std::sort(out.begin(), out.end());
  return out;
}

// One key's leads in the selection, by status; with `qualified`, the durations of
// those of them that were qualified go to `durations`.
Pipeline pipeline_of(const ReadTxn& txn, MDB_dbi dbi, std::string_view key, const Selection& selection,
                     const Qualified* qualified = nullptr, std::vector<TimeMs>* durations = nullptr) {
  Pipeline p{std::string(key), {}};
  AscendingLookup<IdStatus> lookup(selection);
  std::optional<AscendingLookup<Qualified::value_type>> qualified_lookup;
  if (qualified != nullptr && durations != nullptr) qualified_lookup.emplace(*qualified);
  for_each_id(txn, dbi, key, [&](RecordId id) {
    const IdStatus* hit = lookup.find(id);
    if (hit == nullptr) return;
    ++p.by_status[hit->second];
    if (!qualified_lookup) return;
    if (const auto* q = qualified_lookup->find(id)) durations->push_back(q->second);
  });
  return p;
}

std::vector<Pipeline> key_pipelines(const ReadTxn& txn, MDB_dbi dbi, const Selection& selection) {
  std::vector<Pipeline> out;
  for_each_key(txn, dbi, [&](std::string_view key, std::size_t) {
    Pipeline p = pipeline_of(txn, dbi, key, selection);
    if (p.total() > 0) out.push_back(std::move(p));
  });
  return out;
}

// The selected leads that were ever qualified, with how long it took: the history's
// entries over the created range, each looked up in the selection.
Qualified qualified_of(const ReadTxn& txn, IdRange range, const Selection& selection) {
  Qualified out;
  AscendingLookup<IdStatus> lookup(selection);
  Cursor c(txn, txn.dbi().qualified);
  const std::string from = store::id_key(range.lo);
  MDB_val k = store::to_val(from);
  MDB_val v{};
  for (int rc = c.get(k, v, MDB_SET_RANGE); rc == 0; rc = c.get(k, v, MDB_NEXT)) {
    if (k.mv_size != 8) continue;
    const RecordId id = RecordId::from_key(k.mv_data);
    if (!range.contains(id)) break;
    const auto times = store::decode_qualified(store::to_view(v));
    if (times && lookup.find(id) != nullptr) out.emplace_back(id, times->to_qualify());
  }
  return out;
}

// Every source's pipeline and time to qualify, in enum order, and the overall time
// to qualify.
void source_figures(const ReadTxn& txn, const Selection& selection, const Qualified& qualified, LeadReport& r) {
  std::vector<TimeMs> all;
  all.reserve(qualified.size());
  for (const auto& [id, took] : qualified) all.push_back(took);
  r.time_to_qualify = time_to_qualify(std::move(all));
  for (const auto name : enum_names<LeadSource>()) {
    std::vector<TimeMs> durations;
    r.sources.push_back(pipeline_of(txn, txn.dbi().by_source, name, selection, &qualified, &durations));
    r.time_to_qualify_by_source.emplace_back(std::string(name), time_to_qualify(std::move(durations)));
  }
}

std::uint64_t total_of(const std::vector<Pipeline>& pipelines) {
  std::uint64_t n = 0;
  for (const auto& p : pipelines) n += p.total();
  return n;
}

std::vector<DayCount> per_day(const Selection& selection, TimeMs now, unsigned days) {
  const TimeMs today = now - (now % kDayMs);
  const TimeMs first = today - static_cast<TimeMs>(days - 1) * kDayMs;
  std::vector<DayCount> out(days);
  for (unsigned i = 0; i < days; ++i) {
    out[i].date = format_timestamp(first + static_cast<TimeMs>(i) * kDayMs).substr(0, 10);
  }
  const auto from = std::lower_bound(selection.begin(), selection.end(), id_floor(first), id_less);
  for (auto it = from; it != selection.end(); ++it) {
    const auto day = static_cast<std::size_t>((it->first.time_ms() - first) / kDayMs);
    if (day < out.size()) ++out[day].count;
  }
  return out;
}

// Due entries (time + id keys) up to a week from now, of leads in the selection.
void count_due(const ReadTxn& txn, const Selection& selection, TimeMs now, LeadReport& r) {
  const TimeMs week = now + 7 * kDayMs;
  Cursor c(txn, txn.dbi().by_due);
  MDB_val k{};
  MDB_val v{};
  for (int rc = c.get(k, v, MDB_FIRST); rc == 0; rc = c.get(k, v, MDB_NEXT)) {
    if (k.mv_size != 16) continue;
    const auto at = static_cast<TimeMs>(store::read_be64(store::to_view(k)));
    if (at > week) break;
    const RecordId id = RecordId::from_key(static_cast<const char*>(k.mv_data) + 8);
    const auto hit = std::lower_bound(selection.begin(), selection.end(), id, id_less);
    if (hit == selection.end() || hit->first != id) continue;
    ++(at <= now ? r.aging_due_now : r.aging_due_within_7_days);
  }
}

// What aging has due (the due index up to a week from now) and what it did (the
// report history's ids of the leads it escalated or closed), for selected leads.
void aging_figures(const ReadTxn& txn, const Selection& selection, LeadReport& r) {
  count_due(txn, selection, r.generated_at, r);
  const MDB_dbi acts = txn.dbi().by_aging_act;
  r.aging_escalated = pipeline_of(txn, acts, store::kAgingEscalated, selection).total();
  r.aging_closed = pipeline_of(txn, acts, store::kAgingClosed, selection).total();
}

std::optional<std::string> set_days(ReportQuery& q, std::string_view value) {
  unsigned n = 0;
  const auto res = std::from_chars(value.data(), value.data() + value.size(), n);
  if (res.ec != std::errc{} || res.ptr != value.data() + value.size() || n == 0 || n > kMaxReportDays) {
    return "expected a number of days from 1 to " + std::to_string(kMaxReportDays);
  }
  q.days = n;
  return std::nullopt;
}

}  // namespace

Status check_report_query(const ReportQuery& q) {
  if (q.days == 0 || q.days > kMaxReportDays) {
    return Error::invalid({{"days", "must be between 1 and " + std::to_string(kMaxReportDays)}});
  }
  if (q.created_since && q.created_until && *q.created_until < *q.created_since) {
    return Error::invalid({{"until", "is before since"}});
  }
  return ok_status();
}

std::optional<std::string> set_report_filter(ReportQuery& q, std::string_view name, std::string_view value) {
  if (name == "campaign" || name == "channel") {
    if (value.empty()) return "must not be empty";
    (name == "campaign" ? q.campaign : q.owner_channel) = value;
    return std::nullopt;
  }
  if (name == "source") return json::enum_or_reason(value, q.source);
  if (name == "days") return set_days(q, value);
  if (name == "since" || name == "until") {
    const auto at = parse_time_or_date(value);
    if (!at) return kTimeOrDateExpected;
    (name == "since" ? q.created_since : q.created_until) = *at;
    return std::nullopt;
  }
  return std::string("unknown filter (known: ") + kReportFilterNames + ")";
}

TimeToQualify time_to_qualify(std::vector<TimeMs> durations) {
  TimeToQualify out;
  out.count = durations.size();
  if (durations.empty()) return out;
  std::sort(durations.begin(), durations.end());
  // Nearest rank: the ceil(p/100 * n)-th smallest.
  const auto rank = [n = durations.size()](std::size_t percent) { return (percent * n + 99) / 100; };
  out.median_ms = durations[rank(50) - 1];
  out.p90_ms = durations[rank(90) - 1];
  return out;
}

std::uint64_t Pipeline::total() const {
  std::uint64_t n = 0;
  for (const auto c : by_status) n += c;
  return n;
}

std::optional<double> Pipeline::conversion_rate() const {
  const std::uint64_t all = total();
  if (all == 0) return std::nullopt;
  return static_cast<double>(by_status[static_cast<std::size_t>(LeadStatus::converted)]) / static_cast<double>(all);
}

Result<LeadReport> LeadStore::report_leads(const ReportQuery& query) const {
  if (auto st = check_report_query(query); !st) return st.error();
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  if (auto st = check_filter_keys(*txn, query); !st) return st.error();
  const store::Dbis& d = txn->dbi();
  const IdRange range = id_range(query);
  const auto filtered = filtered_ids(*txn, query, range);
  const Selection selection = select(*txn, range, filtered);

  LeadReport r;
  r.generated_at = clock().now_ms();
  r.total = selection.size();
  for (const auto& [id, status] : selection) ++r.by_status[status];
  r.channels = key_pipelines(*txn, d.by_owner, selection);
  r.without_channel = r.total - total_of(r.channels);
  source_figures(*txn, selection, qualified_of(*txn, range, selection), r);
  r.campaigns = key_pipelines(*txn, d.by_campaign, selection);
  r.without_campaign = r.total - total_of(r.campaigns);
  r.created_per_day = per_day(selection, r.generated_at, query.days);
  aging_figures(*txn, selection, r);
  return r;
}

namespace {

// A rate with at most 4 decimals, shortest form ("0.25", "1", "0.3333").
void write_rate(JsonWriter& w, std::optional<double> rate) {
  if (!rate) {
    w.null();
    return;
  }
  char buf[32];
  const double rounded = std::round(*rate * 10000.0) / 10000.0;
  const auto res = std::to_chars(buf, buf + sizeof buf, rounded);
  w.raw(std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)));
}

void write_statuses(JsonWriter& w, const StatusCounts& counts) {
  const auto names = enum_names<LeadStatus>();
  for (std::size_t s = 0; s < names.size(); ++s) w.key_identifier(names[s]).value(counts[s]);
}

void write_pipelines(JsonWriter& w, std::string_view key, std::string_view name_member,
                     const std::vector<Pipeline>& pipelines) {
  w.key_identifier(key).begin_array();
  for (const auto& p : pipelines) {
    w.begin_object().key_identifier(name_member).value(p.name).key_identifier("total").value(p.total());
    write_statuses(w, p.by_status);
    w.key_identifier("conversion_rate");
    write_rate(w, p.conversion_rate());
    w.end_object();
  }
  w.end_array();
}

// Milliseconds as seconds, shortest form ("7200", "1.5", "0.001"); null when absent.
void write_seconds(JsonWriter& w, std::optional<TimeMs> ms) {
  if (!ms) {
    w.null();
    return;
  }
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, static_cast<double>(*ms) / 1000.0, std::chars_format::fixed);
  w.raw(std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)));
}

void write_time_to_qualify(JsonWriter& w, const TimeToQualify& t) {
  w.key_identifier("count").value(t.count);
  w.key_identifier("median_seconds");
  write_seconds(w, t.median_ms);
  w.key_identifier("p90_seconds");
  write_seconds(w, t.p90_ms);
}

void write_time_to_qualify(JsonWriter& w, const LeadReport& r) {
  w.key_identifier("time_to_qualify").begin_object();
  write_time_to_qualify(w, r.time_to_qualify);
  w.key_identifier("sources").begin_array();
  for (const auto& [source, t] : r.time_to_qualify_by_source) {
    w.begin_object().key_identifier("source").value(source);
    write_time_to_qualify(w, t);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_totals(JsonWriter& w, std::string_view key, const std::vector<Pipeline>& pipelines) {
  w.key_identifier(key).begin_object();
  for (const auto& p : pipelines) w.key(p.name).value(p.total());
  w.end_object();
}

}  // namespace

std::string to_json(const LeadReport& r) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key_identifier("generated_at").value(format_timestamp(r.generated_at));
  w.key_identifier("total").value(r.total);
  w.key_identifier("by_status").begin_object();
  write_statuses(w, r.by_status);
  w.end_object();
  write_totals(w, "by_channel", r.channels);
  w.key_identifier("without_channel").value(r.without_channel);
  write_totals(w, "by_source", r.sources);
  write_totals(w, "by_campaign", r.campaigns);
  w.key_identifier("without_campaign").value(r.without_campaign);
  write_pipelines(w, "channels", "channel", r.channels);
  write_pipelines(w, "sources", "source", r.sources);
  write_pipelines(w, "campaigns", "campaign", r.campaigns);
  write_time_to_qualify(w, r);
  w.key_identifier("created_per_day").begin_array();
  for (const auto& day : r.created_per_day) {
    w.begin_object().key_identifier("date").value(day.date).key_identifier("count").value(day.count).end_object();
  }
  w.end_array();
  w.key_identifier("aging").begin_object();
  w.key_identifier("due_now").value(r.aging_due_now);
  w.key_identifier("due_within_7_days").value(r.aging_due_within_7_days);
  w.key_identifier("escalated").value(r.aging_escalated);
  w.key_identifier("closed").value(r.aging_closed);
  w.end_object();
  w.end_object();
  return out;
}

}  // namespace leadhub
