// The run record: every event in order (events.jsonl), every log line
// (run.db), and the live console timeline.
#ifndef ECSIM_SIM_REPORT_RECORDER_H_
#define ECSIM_SIM_REPORT_RECORDER_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "sim/base/document.h"
#include "sim/host/process_host.h"

namespace sim::report {

struct EventRecord {
  Time at;
  uint64_t seq = 0;
  std::string kind;
  std::string task;  // task id, or empty
  Json data;
};

struct ConsoleOptions {
  std::FILE* out = nullptr;  // nullptr: silent
  bool logs = true;          // print worker log lines in the timeline
};

class Recorder {
 public:
  Recorder(int64_t epoch_ms, ConsoleOptions console) : epoch_ms_(epoch_ms), console_(console) {}

  // Records an event; `text` is its console rendering (empty: not printed).
  void Event(Time at, const std::string& kind, const std::string& task, Json data, const std::string& text);
  void Log(const host::LogLine& line);
  // Free-form console line (headers, the summary).
  void Print(const std::string& text);

  const std::vector<EventRecord>& events() const { return events_; }
  const std::vector<host::LogLine>& logs() const { return logs_; }

  // One JSON object per line, virtual time first.
  std::string EventsJsonl() const;
  // A model's table in run.db: named columns, rows as objects (absent keys are NULL).
  struct Table {
    std::string name;
    std::vector<std::string> columns;
    Json rows = Json::array();
  };
  // SQLite file with tables events, logs, tasks, items and summary, plus
  // `extra_tables`. Returns an error message, or empty.
  std::string WriteRunDb(const std::string& path, const Json& tasks, const Json& items, const Json& summary,
                         const std::vector<Table>& extra_tables) const;
  static std::string Subject(const std::string& task) { return task.empty() ? "" : "task/" + task.substr(0, 8); }

 private:
  int64_t epoch_ms_;
  ConsoleOptions console_;
  std::vector<EventRecord> events_;
  std::vector<host::LogLine> logs_;
};

}  // namespace sim::report

#endif  // ECSIM_SIM_REPORT_RECORDER_H_
