#include "drop_folder.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>

namespace leadhub::connectors::files {
namespace {

Error os_error(const std::string& what, int err) {
  return Error::make(ErrorCode::unavailable, what + ": " + std::strerror(err));
}

std::string join(const std::string& folder, const std::string& name) { return folder + "/" + name; }

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 || errno != ENOENT;  // unknown counts as taken
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Writes `text` to a new file `path` and makes it durable.
Status write_durably(const std::string& path, const std::string& text) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return os_error("cannot write " + path, errno);
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("cannot write " + path, errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return os_error("cannot write " + path, errno);
  if (::close(fd.release()) != 0) return os_error("cannot write " + path, errno);
  return ok_status();
}

}  // namespace

Result<std::vector<FolderEntry>> list_files(const std::string& folder) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(folder.c_str()), ::closedir);
  if (!dir) return os_error("cannot read " + folder, errno);
  std::vector<FolderEntry> out;
  errno = 0;
  while (const dirent* e = ::readdir(dir.get())) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(::dirfd(dir.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone meanwhile
    if (!S_ISREG(st.st_mode)) continue;
    out.push_back({name,
                   {static_cast<std::uint64_t>(st.st_size),
                    std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec}});
    errno = 0;
  }
  if (errno != 0) return os_error("cannot read " + folder, errno);
  return out;
}

Result<bool> move_unless_taken(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno == EEXIST) return false;
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
    return os_error("cannot move " + from + " to " + to, errno);
  // A file system without RENAME_NOREPLACE: a hard link fails when `to` exists.
  if (::link(from.c_str(), to.c_str()) == 0) {
    if (::unlink(from.c_str()) != 0) return os_error("cannot move " + from + " to " + to, errno);
    return true;
  }
  if (errno == EEXIST) return false;
  // Nor hard links (vfat, some network shares): only this hub writes there.
  if (exists(to)) return false;
  if (::rename(from.c_str(), to.c_str()) != 0) return os_error("cannot move " + from + " to " + to, errno);
  return true;
}

Status sync_folder(const std::string& folder) {
  Fd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return os_error("cannot open " + folder, errno);
  if (::fsync(fd.get()) != 0 && errno != EINVAL) return os_error("cannot sync " + folder, errno);
  return ok_status();
}

Result<std::string> file_sha256(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return os_error("cannot read " + path, errno);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    return Error::make(ErrorCode::internal, "SHA-256 unavailable");
  std::vector<char> buffer(1 << 16);
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("cannot read " + path, errno);
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(n));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &size);
  static const char* const kDigits = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kDigits[digest[i] >> 4];
    hex += kDigits[digest[i] & 15];
  }
  return hex;
}

std::string utc_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm);
  return text;
}

Result<std::string> file_with_report(const std::string& from, const std::string& folder, const std::string& name,
                                     const std::string& report) {
  const std::string stamp = utc_stamp();
  // Room for ".STAMP-NNN" and the temporary report's ".NAME.report.json.tmp" in 255 bytes.
  const std::string base = shortened_name(name, 255 - 21 - 17);
  for (int attempt = 1; attempt <= 1000; ++attempt) {
    std::string candidate = attempt == 1 ? base : stamped_name(base, stamp, attempt - 1);
    const std::string file = join(folder, candidate), report_file = join(folder, report_name(candidate));
    if (exists(file) || exists(report_file)) continue;
    // The report first: a file in done/ or failed/ always has its report. A hidden
    // temporary name, so nobody reads a report half-written.
    const std::string temporary = join(folder, std::string(1, '.').append(report_name(candidate)).append(".tmp"));
    if (auto st = write_durably(temporary, report); !st) {
      ::unlink(temporary.c_str());
      return st.error();
    }
    auto placed = move_unless_taken(temporary, report_file);
    if (!placed || !*placed) ::unlink(temporary.c_str());
    if (!placed) return placed.error();
    if (!*placed) continue;
    auto moved = move_unless_taken(from, file);
    if (!moved || !*moved) ::unlink(report_file.c_str());  // ours, and its file did not come
    if (!moved) return moved.error();
    if (!*moved) continue;
    if (auto st = sync_folder(folder); !st) return st.error();
    return candidate;
  }
  return Error::make(ErrorCode::unavailable, "no free name for " + name + " in " + folder);
}

}  // namespace leadhub::connectors::files
