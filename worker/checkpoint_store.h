// The worker's progress record: one SQLite row per finished item, standing in
// for the DynamoDB table of the workshop. Schema and durability: docs/checkpoint.md.
#ifndef ECSIM_WORKER_CHECKPOINT_STORE_H_
#define ECSIM_WORKER_CHECKPOINT_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace ecsim::worker {

enum class ResumeStrategy {
  kNone,     // always start at 0 (seed 000)
  kScan,     // probe 0, 1, 2, ... until the first missing index (seed 001's continueAt())
  kIndexed,  // one query on the primary key: MAX(idx) + 1, O(log n)
};

class CheckpointStore {
 public:
  // Opens (creating if needed) the database at `path` in WAL mode with
  // synchronous=NORMAL: a committed row survives the process being killed.
  // Returns nullptr and fills `error` on failure.
  static std::unique_ptr<CheckpointStore> Open(const std::string& path, std::string& error);
  ~CheckpointStore();
  CheckpointStore(const CheckpointStore&) = delete;
  CheckpointStore& operator=(const CheckpointStore&) = delete;

  // Writes (or overwrites) one item in its own transaction. False on error.
  bool Commit(int64_t index, const std::string& result, const std::string& writer, int64_t at_ms);
  bool Has(int64_t index);
  // The index to continue at. `probes` counts the point queries made (scan).
  int64_t ResumeIndex(ResumeStrategy strategy, int64_t& probes);
  int64_t Count();
  // Runs counter kept in the same file (used by --fail-runs). Returns the new count.
  int64_t BumpRunCount();
  const std::string& last_error() const { return last_error_; }

 private:
  explicit CheckpointStore(sqlite3* db) : db_(db) {}
  bool Exec(const char* sql);
  int64_t QueryInt(const char* sql);  // first column of the first row, 0 if none
  sqlite3* db_;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* probe_ = nullptr;
  std::string last_error_;
};

std::optional<ResumeStrategy> ParseResumeStrategy(const std::string& name);

}  // namespace ecsim::worker

#endif  // ECSIM_WORKER_CHECKPOINT_STORE_H_
