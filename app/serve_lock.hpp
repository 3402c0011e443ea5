// One `leadhub serve` per data folder: a second one would run a second event
// dispatcher, aging scheduler and listeners on the same store. Other commands
// (import, stats, backup, ...) take no lock and may run beside it.
#pragma once

#include <string>

#include "util/result.hpp"

namespace leadhub::cli {

// Holds an exclusive flock on DATA/serve.lock until destroyed (or the process
// ends, however it ends: the kernel drops the lock).
class ServeLock {
 public:
  // Fails as `unavailable`, naming the folder and the pid of the hub holding it.
  static Result<ServeLock> take(const std::string& data_folder);

  ServeLock(ServeLock&& other) noexcept;
  ServeLock& operator=(ServeLock&&) = delete;
  ServeLock(const ServeLock&) = delete;
  ServeLock& operator=(const ServeLock&) = delete;
  ~ServeLock();

 private:
  explicit ServeLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace leadhub::cli
