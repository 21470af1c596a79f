// Helpers for tests that run the real ecsim binary as a user would.
#ifndef ECSIM_TESTS_INTEGRATION_RUN_HELPERS_H_
#define ECSIM_TESTS_INTEGRATION_RUN_HELPERS_H_

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ecsim_test {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

inline std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string ReadFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline nlohmann::json ReadJson(const fs::path& p) { return nlohmann::json::parse(ReadFile(p)); }

// A fresh temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/ecsim-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& s) const { return path_ / s; }

 private:
  fs::path path_;
};

inline std::string Ecsim() { return ECSIM_BIN; }
inline std::string SourceDir() { return ECSIM_SOURCE_DIR; }

// What one `ecsim run` wrote.
struct ScenarioRun {
  CommandResult result;
  nlohmann::json summary;
  std::string events_text;
  std::vector<nlohmann::json> events;
  fs::path dir;
};

// One quiet `ecsim run` of the scenario file `path` into `out`.
inline ScenarioRun RunScenarioFile(const fs::path& out, const fs::path& path, const std::string& extra = "") {
  ScenarioRun r;
  r.dir = out;
  r.result = RunCommand(Ecsim() + " run " + Quote(path.string()) + " --out " + Quote(out.string()) + " -q " + extra);
  if (fs::exists(out / "summary.json")) r.summary = ReadJson(out / "summary.json");
  r.events_text = ReadFile(out / "events.jsonl");
  std::istringstream lines(r.events_text);
  std::string line;
  while (std::getline(lines, line)) r.events.push_back(nlohmann::json::parse(line));
  return r;
}

inline ScenarioRun RunShippedScenario(const fs::path& out, const std::string& scenario, const std::string& extra = "") {
  return RunScenarioFile(out, SourceDir() + "/scenarios/" + scenario, extra);
}

}  // namespace ecsim_test

#endif  // ECSIM_TESTS_INTEGRATION_RUN_HELPERS_H_
