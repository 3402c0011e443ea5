// Mapper::map_stream_parallel: the calling thread reads records and hands batches
// of them to worker threads, which map them; the caller delivers the mapped batches
// to the sink strictly in document order. Records only read from what the reader
// holds (CSV fields, pugixml nodes, simdjson elements), so workers may map records
// while the reader goes on; the reader outlives every batch.
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "engine.hpp"

namespace leadhub::mapping {
namespace {

constexpr std::size_t kBatchRecords = 128;  // enough work per hand-over to hide the locking

struct Batch {
  std::size_t seq = 0;
  std::vector<std::unique_ptr<Record>> records;
  std::vector<MappedRecord> mapped;
};

// Worker threads mapping batches; finished batches are kept until delivered in order.
class MappingPool {
 public:
  MappingPool(const Mapper& mapper, unsigned threads, std::size_t max_in_flight)
      : mapper_(mapper), max_in_flight_(max_in_flight) {
    for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }

  ~MappingPool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    work_ready_.notify_all();
    for (auto& t : workers_) t.join();
  }

  // Queues a batch; while too many are in flight, delivers finished ones first.
  // False when the sink asked to stop.
  bool submit(Batch batch, const Mapper::Sink& sink) {
    while (in_flight() >= max_in_flight_) {
      if (!deliver_next(sink)) return false;
    }
    {
      std::lock_guard lock(mutex_);
      todo_.push_back(std::move(batch));
      ++in_flight_;
    }
    work_ready_.notify_one();
    return true;
  }

  // Delivers every batch submitted so far, in order. False when the sink asked to stop.
  bool drain(const Mapper::Sink& sink) {
    while (in_flight() > 0) {
      if (!deliver_next(sink)) return false;
    }
    return true;
  }

 private:
  std::size_t in_flight() {
    std::lock_guard lock(mutex_);
    return in_flight_;
  }

  // Waits for the next batch in document order and hands its records to the sink.
  bool deliver_next(const Mapper::Sink& sink) {
    Batch batch;
    {
      std::unique_lock lock(mutex_);
      batch_done_.wait(lock, [&] { return failure_ || done_.count(next_) > 0; });
      if (failure_) std::rethrow_exception(failure_);
      auto node = done_.extract(next_++);
      batch = std::move(node.mapped());
      --in_flight_;
    }
    for (auto& m : batch.mapped) {
      if (!sink(std::move(m))) return false;
    }
    return true;
  }

  void work() {
    for (;;) {
      Batch batch;
      {
        std::unique_lock lock(mutex_);
        work_ready_.wait(lock, [&] { return stop_ || !todo_.empty(); });
        if (stop_) return;
        batch = std::move(todo_.front());
        todo_.pop_front();
      }
      try {
        batch.mapped.reserve(batch.records.size());
        for (const auto& record : batch.records) batch.mapped.push_back(mapper_.map_record(*record));
        batch.records.clear();
      } catch (...) {
        std::lock_guard lock(mutex_);
        failure_ = std::current_exception();
      }
      {
        std::lock_guard lock(mutex_);
        const std::size_t seq = batch.seq;
        done_.emplace(seq, std::move(batch));
      }
      batch_done_.notify_all();
    }
  }

  const Mapper& mapper_;
  const std::size_t max_in_flight_;
  std::mutex mutex_;
  std::condition_variable work_ready_, batch_done_;
  std::deque<Batch> todo_;
  std::map<std::size_t, Batch> done_;  // mapped, waiting for the batches before them
  std::size_t next_ = 0;               // the next batch to deliver
  std::size_t in_flight_ = 0;          // submitted and not yet delivered
  bool stop_ = false;
  std::exception_ptr failure_;
  std::vector<std::thread> workers_;  // last: joined before the rest goes
};

}  // namespace

Status Mapper::map_stream_parallel(std::istream& in, const Sink& sink, unsigned threads) const {
  if (threads <= 1) return map_stream(in, sink);
  auto reader = open_reader(*spec_, in);
  if (!reader) return reader.error();
  MappingPool pool(*this, threads, 4 * std::size_t{threads});
  // Computed here from the first record, delivered with the first mapped one (the
  // sink runs on this thread).
  std::vector<std::string> notices;
  const Sink with_notices = [&](MappedRecord&& m) {
    if (!notices.empty()) {
      for (auto& notice : std::exchange(notices, {})) m.notices.push_back(std::move(notice));
    }
    return sink(std::move(m));
  };
  for (std::size_t seq = 0;; ++seq) {
    Batch batch;
    batch.seq = seq;
    // NOLINTNEXTLINE(clang-analyzer-cplusplus.Move): a new batch each pass
    batch.records.reserve(kBatchRecords);
    Status status = ok_status();
    bool end = false;
    while (batch.records.size() < kBatchRecords) {
      auto record = (*reader)->next();
      if (!record) {
        status = record.error();
        break;
      }
      if (!*record) {
        end = true;
        break;
      }
      batch.records.push_back(std::move(record).value());
      if (seq == 0 && batch.records.size() == 1) notices = document_notices(*batch.records.front());
      // Delivered with the next mapped record, near enough to where the reader met them.
      for (auto& notice : (*reader)->take_notices()) notices.push_back(std::move(notice));
    }
    // Records before a broken part of the document are delivered before its error.
    if (!batch.records.empty() && !pool.submit(std::move(batch), with_notices)) return ok_status();
    if (!status || end) {
      if (!pool.drain(with_notices)) return ok_status();
      return status;
    }
  }
}

}  // namespace leadhub::mapping
