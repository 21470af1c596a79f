#include "sim/report/recorder.h"

#include <sqlite3.h>

#include <fmt/format.h>

namespace sim::report {
namespace {

std::string Stamp(Time at) { return fmt::format("[{:>11}]", FormatSeconds(at)); }

}  // namespace

void Recorder::Event(Time at, const std::string& kind, const std::string& task, Json data, const std::string& text) {
  events_.push_back({at, events_.size() + 1, kind, task, std::move(data)});
  if (console_.out && !text.empty())
    fmt::print(console_.out, "{} {:<14} {}\n", Stamp(at), Subject(task), text);
}

void Recorder::Log(const host::LogLine& line) {
  logs_.push_back(line);
  if (console_.out && console_.logs)
    fmt::print(console_.out, "{} {:<14} {}{}\n", Stamp(line.at), Subject(line.task_id),
               line.stream == "stderr" ? "! " : "| ", line.text);
}

void Recorder::Print(const std::string& text) {
  if (console_.out) fmt::print(console_.out, "{}\n", text);
}

std::string Recorder::EventsJsonl() const {
  std::string out;
  for (const auto& e : events_) {
    Json line = Json::object();
    line["time_ms"] = ToMillis(e.at);
    line["time"] = FormatIso8601(epoch_ms_, e.at);
    line["seq"] = e.seq;
    line["kind"] = e.kind;
    if (!e.task.empty()) line["task"] = e.task;
    for (auto it = e.data.begin(); it != e.data.end(); ++it) line[it.key()] = it.value();
    out += line.dump();
    out += '\n';
  }
  return out;
}

std::string Recorder::WriteRunDb(const std::string& path, const Json& tasks, const Json& items, const Json& summary,
                                 const std::vector<Table>& extra_tables) const {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::string e = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return e;
  }
  std::string error;
  auto exec = [&](const std::string& sql) {
    char* msg = nullptr;
    if (error.empty() && sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      error = msg ? msg : "sqlite error";
      sqlite3_free(msg);
    }
  };
  exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;");
  exec("CREATE TABLE events (seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, kind TEXT NOT NULL, task TEXT, json TEXT NOT NULL)");
  exec("CREATE TABLE logs (id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, task TEXT NOT NULL, container TEXT NOT NULL,"
       " stream TEXT NOT NULL, line TEXT NOT NULL)");
  exec("CREATE TABLE tasks (task_id TEXT PRIMARY KEY, json TEXT NOT NULL)");
  exec("CREATE TABLE items (idx INTEGER PRIMARY KEY, completions INTEGER NOT NULL, commits INTEGER NOT NULL)");
  exec("CREATE TABLE summary (json TEXT NOT NULL)");
  exec("CREATE INDEX logs_by_task ON logs(task, time_ms)");
  auto insert = [&](const char* sql, const std::function<void(sqlite3_stmt*)>& bind) {
    if (!error.empty()) return;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
      error = sqlite3_errmsg(db);
      return;
    }
    bind(st);
    sqlite3_finalize(st);
  };
  auto step = [&](sqlite3_stmt* st) {
    if (sqlite3_step(st) != SQLITE_DONE && error.empty()) error = sqlite3_errmsg(db);
    sqlite3_reset(st);
  };
  insert("INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5)", [&](sqlite3_stmt* st) {
    for (const auto& e : events_) {
      std::string json = e.data.dump();
      sqlite3_bind_int64(st, 1, static_cast<int64_t>(e.seq));
      sqlite3_bind_int64(st, 2, ToMillis(e.at));
      sqlite3_bind_text(st, 3, e.kind.c_str(), -1, SQLITE_TRANSIENT);
      if (e.task.empty()) sqlite3_bind_null(st, 4);
      else sqlite3_bind_text(st, 4, e.task.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 5, json.c_str(), -1, SQLITE_TRANSIENT);
      step(st);
    }
  });
  insert("INSERT INTO logs (time_ms, task, container, stream, line) VALUES (?1, ?2, ?3, ?4, ?5)", [&](sqlite3_stmt* st) {
    for (const auto& l : logs_) {
      sqlite3_bind_int64(st, 1, ToMillis(l.at));
      sqlite3_bind_text(st, 2, l.task_id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 3, l.container.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 4, l.stream.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 5, l.text.c_str(), -1, SQLITE_TRANSIENT);
      step(st);
    }
  });
  insert("INSERT INTO tasks VALUES (?1, ?2)", [&](sqlite3_stmt* st) {
    for (const auto& t : tasks) {
      std::string id = t.value("id", ""), json = t.dump();
      sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 2, json.c_str(), -1, SQLITE_TRANSIENT);
      step(st);
    }
  });
  insert("INSERT INTO items VALUES (?1, ?2, ?3)", [&](sqlite3_stmt* st) {
    for (const auto& it : items) {
      sqlite3_bind_int64(st, 1, it[0].get<int64_t>());
      sqlite3_bind_int64(st, 2, it[1].get<int64_t>());
      sqlite3_bind_int64(st, 3, it[2].get<int64_t>());
      step(st);
    }
  });
  insert("INSERT INTO summary VALUES (?1)", [&](sqlite3_stmt* st) {
    std::string json = summary.dump();
    sqlite3_bind_text(st, 1, json.c_str(), -1, SQLITE_TRANSIENT);
    step(st);
  });
  for (const auto& table : extra_tables) {
    const auto& cols = table.columns;
    std::string create = "CREATE TABLE " + table.name + " (", ins = "INSERT INTO " + table.name + " VALUES (";
    for (size_t i = 0; i < cols.size(); ++i) {
      create += (i ? ", " : "") + cols[i];
      ins += (i ? ", ?" : "?") + std::to_string(i + 1);
    }
    exec(create + ")");
    insert((ins + ")").c_str(), [&](sqlite3_stmt* st) {
      for (const auto& row : table.rows) {
        for (size_t i = 0; i < cols.size(); ++i) {
          const Json& v = row.contains(cols[i]) ? row[cols[i]] : Json();
          int idx = static_cast<int>(i + 1);
          if (v.is_null()) sqlite3_bind_null(st, idx);
          else if (v.is_number_integer()) sqlite3_bind_int64(st, idx, v.get<int64_t>());
          else if (v.is_number()) sqlite3_bind_double(st, idx, v.get<double>());
          else if (v.is_string()) sqlite3_bind_text(st, idx, v.get<std::string>().c_str(), -1, SQLITE_TRANSIENT);
          else sqlite3_bind_text(st, idx, v.dump().c_str(), -1, SQLITE_TRANSIENT);
        }
        step(st);
      }
    });
  }
  exec("COMMIT");
  sqlite3_close(db);
  return error;
}

}  // namespace sim::report
