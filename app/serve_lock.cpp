#include "serve_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace leadhub::cli {
namespace {

// The pid the holder wrote, for the message ("" when it cannot be read).
std::string holder_pid(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return "";
  std::string pid(buffer, static_cast<std::size_t>(n));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

}  // namespace

Result<ServeLock> ServeLock::take(const std::string& data_folder) {
  const std::string path = data_folder + "/serve.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    return Error::make(ErrorCode::unavailable,
                       "cannot create " + path + ": " + std::strerror(err) +
                           (err == EROFS ? " (serve writes to its store; on a read-only file system the store can "
                                           "only be read: stats, export, backup, report, lead get|find|audit)"
                                         : ""));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string pid = holder_pid(fd);
    ::close(fd);
    if (err != EWOULDBLOCK) {
      return Error::make(ErrorCode::unavailable, "cannot lock " + path + ": " + std::strerror(err));
    }
    return Error::make(ErrorCode::unavailable,
                       "another `leadhub serve`" + (pid.empty() ? std::string() : " (pid " + pid + ")") +
                           " runs on the data folder " + data_folder +
                           ": one hub per data folder (stop that one first, or give this one its own `data:`); "
                           "the other commands may run beside it");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  // The pid is only for a second hub's message: the lock holds without it.
  if (::ftruncate(fd, 0) == 0) {
    const ssize_t written = ::pwrite(fd, pid.data(), pid.size(), 0);
    (void)written;
  }
  return ServeLock(fd);
}

ServeLock::ServeLock(ServeLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

ServeLock::~ServeLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace leadhub::cli
