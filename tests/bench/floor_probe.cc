// Measures the floor the simulator stands on, on this machine, now: one
// lock-step round trip over a SOCK_SEQPACKET socketpair to a child process,
// and one autocommitted SQLite insert in WAL mode with synchronous=NORMAL
// (the worker's checkpoint write). scripts/bench.sh prints it beside the
// simulator's per-item overhead.
//   ecsim-floor-probe DIR [ROUND_TRIPS] [COMMITS]
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

double MedianUs(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double RoundTripUs(int n) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) return -1;
  pid_t child = fork();
  if (child == 0) {
    close(sv[0]);
    char buf[256];
    ssize_t got;
    while ((got = recv(sv[1], buf, sizeof buf, 0)) > 0) send(sv[1], buf, static_cast<size_t>(got), 0);
    _exit(0);
  }
  close(sv[1]);
  const char msg[] = "WORK 1234 1000000";
  char reply[256];
  std::vector<double> rounds;
  for (int r = 0; r < 5; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      send(sv[0], msg, sizeof msg - 1, 0);
      recv(sv[0], reply, sizeof reply, 0);
    }
    rounds.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n);
  }
  close(sv[0]);
  waitpid(child, nullptr, 0);
  return MedianUs(rounds);
}

double CommitUs(const std::string& dir, int n) {
  std::string path = dir + "/floor-probe.db";
  std::remove(path.c_str());
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return -1;
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                   "CREATE TABLE checkpoints (idx INTEGER PRIMARY KEY, result TEXT, written_by TEXT, written_at_ms INTEGER)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO checkpoints VALUES (?1, ?2, 'probe', ?1)", -1, &st, nullptr);
  std::vector<double> rounds;
  for (int r = 0; r < 3; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      sqlite3_reset(st);
      sqlite3_bind_int64(st, 1, r * n + i);
      sqlite3_bind_text(st, 2, "result", -1, SQLITE_STATIC);
      sqlite3_step(st);
    }
    rounds.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return MedianUs(rounds);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ecsim-floor-probe DIR [ROUND_TRIPS] [COMMITS]\n");
    return 2;
  }
  int trips = argc > 2 ? std::atoi(argv[2]) : 20000;
  int commits = argc > 3 ? std::atoi(argv[3]) : 3600;
  std::printf("round_trip_us=%.2f\n", RoundTripUs(trips));
  std::printf("sqlite_commit_us=%.2f\n", CommitUs(argv[1], commits));
  return 0;
}
