// The dispatcher thread's inbox: jobs posted from other threads (settlements from
// the sinks) and wake-ups (the store committed events). Shared with whoever may
// post late: after close() posts are dropped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace leadhub::connectors::events {

class Inbox {
 public:
  using Job = std::function<void()>;

  void post(Job job) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      jobs_.push_back(std::move(job));
    }
    changed_.notify_one();
  }

  void wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    changed_.notify_one();
  }

  // Waits for a job or a wake-up until `deadline`; takes the jobs. True when woken.
  bool wait(std::chrono::steady_clock::time_point deadline, std::deque<Job>& jobs) {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline, [&] { return woken_ || !jobs_.empty() || closed_; });
    jobs.swap(jobs_);
    return std::exchange(woken_, false);
  }

  void close() {
    std::deque<Job> dropped;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      dropped.swap(jobs_);
    }
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> jobs_;
  bool woken_ = false;
  bool closed_ = false;
};

}  // namespace leadhub::connectors::events
