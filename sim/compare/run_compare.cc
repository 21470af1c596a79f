// The process side of `ecsim compare`: child ecsim runs via posix_spawn, at
// most `jobs` at a time, reaped with waitpid. No shell is involved.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "sim/base/input_error.h"
#include "sim/compare/compare.h"

extern char** environ;

namespace sim::compare {

namespace {

namespace fs = std::filesystem;

volatile std::sig_atomic_t g_stop_signal = 0;

void OnStop(int sig) { g_stop_signal = sig; }
void OnChild(int) {}

// For the lifetime of the object: SIGINT and SIGTERM record a stop request,
// and SIGINT, SIGTERM and SIGCHLD are blocked except inside Wait(). Blocking
// them closes the race where a signal lands between the check of
// g_stop_signal and the wait: it stays pending and Wait() returns at once.
// The destructor unblocks first (so a late SIGINT reaches OnStop, not the
// default action) and then restores the previous handlers.
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal = 0;
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = OnStop;
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
    sa.sa_handler = OnChild;
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, &old_chld_);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old_mask_);
    wait_mask_ = old_mask_;
    sigdelset(&wait_mask_, SIGINT);
    sigdelset(&wait_mask_, SIGTERM);
    sigdelset(&wait_mask_, SIGCHLD);
  }
  ~StopSignals() {
    sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
    sigaction(SIGCHLD, &old_chld_, nullptr);
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Sleeps until a child changes state or a stop signal arrives (either may
  // already be pending).
  void Wait() const { sigsuspend(&wait_mask_); }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  struct sigaction old_chld_ {};
  sigset_t old_mask_;
  sigset_t wait_mask_;
};

struct Job {
  size_t scenario = 0;
  uint64_t seed = 0;
  std::string out_dir;
  std::string stderr_path;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TrimText(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t b = 0;
  while (b < s.size() && (s[b] == '\n' || s[b] == ' ')) ++b;
  return s.substr(b);
}

std::string LastLine(const std::string& text) {
  std::string t = TrimText(text);
  size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
  return s;
}

// posix_spawn with stdin and stdout on /dev/null and stderr to a file.
// Returns the pid, or -1 with *error set.
pid_t Spawn(const std::string& exe, const std::vector<std::string>& args, const std::string& stderr_path,
            std::string* error) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, exe.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    *error = fmt::format("cannot start {}: {}", exe, std::strerror(rc));
    return -1;
  }
  return pid;
}

// File stems used for run directory names, made unique by appending
// ".<column>" when two scenario files share a stem.
std::vector<std::string> RunLabels(const std::vector<std::string>& files) {
  std::map<std::string, int> count;
  std::vector<std::string> stems;
  for (const auto& f : files) stems.push_back(fs::path(f).stem().string()), ++count[stems.back()];
  for (size_t i = 0; i < stems.size(); ++i)
    if (count[stems[i]] > 1) stems[i] = fmt::format("{}.{}", stems[i], i + 1);
  return stems;
}

int BadInput(std::FILE* err, const std::string& message) {
  fmt::print(err, "ecsim compare: {}\n", message);
  return 2;
}

}  // namespace

int RunCompare(const CompareOptions& o) {
  auto wall_start = std::chrono::steady_clock::now();  // for the stderr rate line only
  std::FILE* out = o.out ? o.out : stdout;
  std::FILE* err = o.err ? o.err : stderr;

  // Validate everything before the first run.
  if (o.scenarios.empty()) return BadInput(err, "give at least one scenario file");
  std::vector<uint64_t> seeds;
  try {
    seeds = ParseSeeds(o.seeds);
  } catch (const InputError& e) {
    return BadInput(err, e.what());
  }
  if (o.jobs < 1) return BadInput(err, fmt::format("--jobs: must be at least 1 (got {})", o.jobs));
  for (const auto& f : o.scenarios) {
    std::error_code ec;
    if (!fs::is_regular_file(f, ec)) return BadInput(err, fmt::format("{}: no such scenario file", f));
  }
  std::string json_path = o.json_path.empty() ? "compare.json" : o.json_path;
  {
    fs::path parent = fs::path(json_path).parent_path();
    std::error_code ec;
    if (!parent.empty() && !fs::is_directory(parent, ec))
      return BadInput(err, fmt::format("--json: {}: directory does not exist", parent.string()));
  }
  std::string self = o.self_exe;
  if (self.empty()) {
    std::error_code ec;
    self = fs::read_symlink("/proc/self/exe", ec).string();
    if (ec) return BadInput(err, "cannot find the ecsim binary (/proc/self/exe)");
  }
  if (!o.keep_dir.empty()) {
    std::error_code ec;
    fs::create_directories(o.keep_dir, ec);
    if (ec || !fs::is_directory(o.keep_dir))
      return BadInput(err, fmt::format("--keep: {}: cannot create directory", o.keep_dir));
  }

  // The temporary directory holds every run's stderr, and the runs
  // themselves unless --keep.
  std::string tmp;
  {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string templ = (base / "ecsim-compare-XXXXXX").string();
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) {
      fmt::print(err, "ecsim compare: cannot create a temporary directory in {}: {}\n", base.string(),
                 std::strerror(errno));
      return 3;
    }
    tmp = buf.data();
  }
  struct RemoveTmp {
    std::string dir;
    ~RemoveTmp() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } remove_tmp{tmp};

  std::vector<std::string> labels = RunLabels(o.scenarios);
  fs::path runs_root = o.keep_dir.empty() ? fs::path(tmp) : fs::path(o.keep_dir);
  std::vector<Job> jobs;  // seed-major: A1 B1 A2 B2 ...
  for (uint64_t seed : seeds)
    for (size_t i = 0; i < o.scenarios.size(); ++i) {
      std::string name = fmt::format("{}-{}", labels[i], seed);
      jobs.push_back({i, seed, (runs_root / name).string(), (fs::path(tmp) / (name + ".stderr")).string()});
    }

  std::vector<std::vector<SeedRun>> runs(o.scenarios.size());
  std::map<size_t, std::string> bad_input;  // job index -> the child's message (exit 2)
  std::string spawn_error;
  std::map<pid_t, size_t> running;
  size_t next = 0;
  StopSignals stop_signals;
  bool stopping = false;

  auto stop_all = [&]() {
    if (stopping) return;
    stopping = true;
    for (const auto& [pid, index] : running) ::kill(pid, SIGTERM);
  };

  while (next < jobs.size() || !running.empty()) {
    if (g_stop_signal != 0) stop_all();
    while (!stopping && running.size() < static_cast<size_t>(o.jobs) && next < jobs.size()) {
      const Job& job = jobs[next];
      std::vector<std::string> args = {"run", o.scenarios[job.scenario], "--seed", std::to_string(job.seed),
                                       "--out", job.out_dir, "-q", "--force"};
      pid_t pid = Spawn(self, args, job.stderr_path, &spawn_error);
      if (pid < 0) {
        stop_all();
        break;
      }
      running[pid] = next++;
    }
    if (stopping && running.empty()) break;
    if (running.empty()) continue;

    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid == 0) {
      stop_signals.Wait();
      continue;
    }
    if (pid < 0) {
      if (errno == EINTR) continue;
      fmt::print(err, "ecsim compare: waitpid: {}\n", std::strerror(errno));
      stop_all();
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;  // not one of ours
    size_t index = it->second;
    running.erase(it);
    const Job& job = jobs[index];
    std::string child_err = ReplaceAll(ReadFile(job.stderr_path), tmp, "<tmp>");

    SeedRun run;
    run.seed = job.seed;
    if (WIFSIGNALED(status)) {
      run.exit_code = -1;
      run.signal = WTERMSIG(status);
      run.error = fmt::format("killed by signal {} ({})", run.signal, sigabbrev_np(run.signal) ? sigabbrev_np(run.signal) : "?");
      std::string last = LastLine(child_err);
      if (!last.empty()) run.error += ": " + last;
    } else {
      run.exit_code = WEXITSTATUS(status);
      if (run.exit_code == 2) {
        bad_input[index] = TrimText(child_err);
        stop_all();
      } else if (run.exit_code == 0 || run.exit_code == 1) {
        fs::path summary = fs::path(job.out_dir) / "summary.json";
        try {
          run.summary = Document::Load(summary.string())->root();
        } catch (const std::exception& e) {
          run.error = fmt::format("exit {} but summary.json is unreadable: {}", run.exit_code,
                                  ReplaceAll(e.what(), tmp, "<tmp>"));
        }
      } else {
        run.error = fmt::format("exit {}", run.exit_code);
        std::string last = LastLine(child_err);
        if (!last.empty()) run.error += ": " + last;
      }
    }
    runs[job.scenario].push_back(std::move(run));
  }

  if (!spawn_error.empty()) {
    fmt::print(err, "ecsim compare: {}\n", spawn_error);
    return 3;
  }
  if (!bad_input.empty()) {
    // The lowest (seed, scenario) that exited 2, so the message does not
    // depend on which child finished first.
    const auto& [index, message] = *bad_input.begin();
    if (message.empty())
      fmt::print(err, "ecsim compare: {} seed {}: bad input (exit 2)\n", o.scenarios[jobs[index].scenario],
                 jobs[index].seed);
    else
      fmt::print(err, "{}\n", message);
    return 2;
  }
  if (g_stop_signal != 0) {
    fmt::print(err, "ecsim compare: interrupted\n");
    return 130;
  }

  std::vector<ScenarioResult> results;
  bool failed = false;
  for (size_t i = 0; i < o.scenarios.size(); ++i) {
    results.push_back(Aggregate(o.scenarios[i], runs[i]));
    failed = failed || !results.back().errors.empty();
  }
  std::string table = FormatTable(results, seeds);
  std::string json = ToJson(results, seeds).dump(2) + "\n";
  {
    std::ofstream f(json_path, std::ios::binary | std::ios::trunc);
    f << json;
    f.close();
    if (!f) {
      fmt::print(out, "{}", table);
      return BadInput(err, fmt::format("--json: cannot write {}", json_path));
    }
  }
  fmt::print(out, "{}JSON written to {}\n", table, json_path);
  if (!o.keep_dir.empty()) fmt::print(out, "runs kept in {}\n", o.keep_dir);
  std::fflush(out);

  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  size_t total = jobs.size();
  fmt::print(err, "{} runs in {:.1f}s ({:.1f} runs/s)\n", total, secs, secs > 0 ? total / secs : 0.0);
  return failed ? 3 : 0;
}

}  // namespace sim::compare
