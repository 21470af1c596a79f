#include "worker/checkpoint_store.h"

#include <sqlite3.h>

namespace ecsim::worker {

std::optional<ResumeStrategy> ParseResumeStrategy(const std::string& name) {
  if (name == "none") return ResumeStrategy::kNone;
  if (name == "scan") return ResumeStrategy::kScan;
  if (name == "indexed") return ResumeStrategy::kIndexed;
  return std::nullopt;
}

std::unique_ptr<CheckpointStore> CheckpointStore::Open(const std::string& path, std::string& error) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    error = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return nullptr;
  }
  std::unique_ptr<CheckpointStore> store(new CheckpointStore(db));
  sqlite3_busy_timeout(db, 5000);
  if (!store->Exec("PRAGMA journal_mode=WAL") || !store->Exec("PRAGMA synchronous=NORMAL") ||
      !store->Exec("CREATE TABLE IF NOT EXISTS checkpoints ("
                   " idx INTEGER PRIMARY KEY,"
                   " result TEXT NOT NULL,"
                   " written_by TEXT NOT NULL,"
                   " written_at_ms INTEGER NOT NULL)") ||
      !store->Exec("CREATE TABLE IF NOT EXISTS worker_runs (id INTEGER PRIMARY KEY CHECK (id = 1), runs INTEGER)")) {
    error = store->last_error_;
    return nullptr;
  }
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO checkpoints(idx, result, written_by, written_at_ms) VALUES (?1, ?2, ?3, ?4) "
                         "ON CONFLICT(idx) DO UPDATE SET result = excluded.result, written_by = excluded.written_by, "
                         "written_at_ms = excluded.written_at_ms",
                         -1, &store->insert_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT 1 FROM checkpoints WHERE idx = ?1", -1, &store->probe_, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db);
    return nullptr;
  }
  return store;
}

CheckpointStore::~CheckpointStore() {
  sqlite3_finalize(insert_);
  sqlite3_finalize(probe_);
  sqlite3_close(db_);
}

bool CheckpointStore::Exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    last_error_ = msg ? msg : "unknown error";
    sqlite3_free(msg);
    return false;
  }
  return true;
}

bool CheckpointStore::Commit(int64_t index, const std::string& result, const std::string& writer, int64_t at_ms) {
  sqlite3_reset(insert_);
  sqlite3_bind_int64(insert_, 1, index);
  sqlite3_bind_text(insert_, 2, result.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(insert_, 3, writer.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(insert_, 4, at_ms);
  if (sqlite3_step(insert_) != SQLITE_DONE) {
    last_error_ = sqlite3_errmsg(db_);
    return false;
  }
  return true;
}

bool CheckpointStore::Has(int64_t index) {
  sqlite3_reset(probe_);
  sqlite3_bind_int64(probe_, 1, index);
  return sqlite3_step(probe_) == SQLITE_ROW;
}

int64_t CheckpointStore::ResumeIndex(ResumeStrategy strategy, int64_t& probes) {
  probes = 0;
  switch (strategy) {
    case ResumeStrategy::kNone:
      return 0;
    case ResumeStrategy::kScan: {
      int64_t i = 0;
      while (true) {
        ++probes;
        if (!Has(i)) return i;
        ++i;
      }
    }
    case ResumeStrategy::kIndexed:
      probes = 1;
      return QueryInt("SELECT COALESCE(MAX(idx) + 1, 0) FROM checkpoints");  // the rowid's B-tree: O(log n)
  }
  return 0;
}

int64_t CheckpointStore::QueryInt(const char* sql) {
  sqlite3_stmt* st = nullptr;
  int64_t n = 0;
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

int64_t CheckpointStore::Count() { return QueryInt("SELECT COUNT(*) FROM checkpoints"); }

int64_t CheckpointStore::BumpRunCount() {
  Exec("INSERT INTO worker_runs(id, runs) VALUES (1, 1) ON CONFLICT(id) DO UPDATE SET runs = runs + 1");
  return QueryInt("SELECT runs FROM worker_runs WHERE id = 1");
}

}  // namespace ecsim::worker
