#include "worker/queue_consumer.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include <nlohmann/json.hpp>

#include "worker/item_processor.h"

namespace ecsim::worker {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kInterrupted = "Interrupted";

bool IsInterrupted(const client::CallResult& r) {
  return !r.ok && std::string_view(r.error).substr(0, kInterrupted.size()) == kInterrupted;
}

// The index `j` names, if it is an integer in [0, items).
std::optional<int64_t> ItemIndex(const Json& j, int64_t items, std::string& error) {
  if (!j.is_number_integer()) {
    error = "not an integer";
    return std::nullopt;
  }
  if (j.is_number_unsigned()) {
    uint64_t u = j.get<uint64_t>();
    if (u >= static_cast<uint64_t>(items)) {
      error = "item " + std::to_string(u) + " is outside the job (0.." + std::to_string(items - 1) + ")";
      return std::nullopt;
    }
    return static_cast<int64_t>(u);
  }
  int64_t k = j.get<int64_t>();
  if (k < 0 || k >= items) {
    error = "item " + std::to_string(k) + " is outside the job (0.." + std::to_string(items - 1) + ")";
    return std::nullopt;
  }
  return k;
}

class QueueConsumer {
 public:
  QueueConsumer(const Options& o, WorkerEnv& env) : o_(o), env_(env), rt_(env.runtime) {}
  int Run();

 private:
  // Each step returns an exit code to stop with, or nullopt to go on.
  std::optional<int> ReceiveBatch();
  std::optional<int> HandleMessage(size_t index);
  // Work on `item` for --item-ms, extending visibility between slices with
  // --heartbeat. Interrupted only when the SIGTERM handler ran.
  client::WaitResult WorkOn(int64_t item);
  void Heartbeat();
  bool Finish(const ReceivedMessage& m, int64_t item);  // commit, report, delete
  bool Delete(const ReceivedMessage& m, int64_t item);
  // SIGTERM under graceful/cleanup. `index` is the message in progress
  // (batch_.size(): none).
  int Shutdown(size_t index, int64_t item, int64_t remaining_us);
  // A quick call (not a long poll) that a SIGTERM interrupted is issued once
  // more: the handler only set a flag, and the call still has to happen.
  client::CallResult QuickCall(const std::string& op, const Json& args);
  std::string Summary() const;

  const Options& o_;
  WorkerEnv& env_;
  Runtime& rt_;
  std::vector<ReceivedMessage> batch_;
  std::vector<std::optional<int64_t>> items_;  // parsed bodies of batch_
  std::vector<std::string> body_errors_;       // why a body is not an item ("" if it is)
  size_t current_ = 0;                          // first message of batch_ not yet handled
  int64_t processed_ = 0;
  int64_t skipped_ = 0;
  int64_t bad_ = 0;
};

client::CallResult QueueConsumer::QuickCall(const std::string& op, const Json& args) {
  auto r = rt_.Call(op, args.dump());
  if (IsInterrupted(r)) r = rt_.Call(op, args.dump());
  return r;
}

std::string QueueConsumer::Summary() const {
  return "processed " + std::to_string(processed_) + " item(s), skipped " + std::to_string(skipped_) + ", left " +
         std::to_string(bad_) + " bad message(s)";
}

int QueueConsumer::Run() {
  if (!rt_.simulated()) {
    env_.err(NeedsSimulatorMessage(o_));
    return 2;
  }
  env_.out("Consuming queue " + o_.queue + " (batch " + std::to_string(o_.batch) + ", wait " +
           std::to_string(o_.wait_s) + " s, visibility " +
           (o_.visibility_s > 0 ? std::to_string(o_.visibility_s) + " s" : std::string("queue default")) +
           (o_.heartbeat ? ", heartbeat" : "") + (o_.skip_done ? ", skip-done" : "") + ")");
  rt_.Job(o_.items, 0);
  int64_t empty = 0;
  while (true) {
    if (env_.terminate) return Shutdown(batch_.size(), -1, 0);
    if (auto rc = ReceiveBatch()) return *rc;
    if (batch_.empty()) {
      ++empty;
      if (o_.idle_polls > 0 && empty >= o_.idle_polls) {
        env_.out("Queue idle after " + std::to_string(empty) + " empty receive(s): " + Summary() + ", exiting");
        return 0;
      }
      env_.out("No messages (empty receive " + std::to_string(empty) +
               (o_.idle_polls > 0 ? " of " + std::to_string(o_.idle_polls) : std::string()) + ")");
      continue;
    }
    empty = 0;
    for (current_ = 0; current_ < batch_.size(); ++current_) {
      if (env_.terminate) return Shutdown(current_, -1, 0);
      if (auto rc = HandleMessage(current_)) return *rc;
    }
  }
}

std::optional<int> QueueConsumer::ReceiveBatch() {
  batch_.clear();
  items_.clear();
  body_errors_.clear();
  current_ = 0;
  auto r = rt_.Call("sqs.ReceiveMessage", ReceiveMessageArgs(o_));
  if (!r.ok) {
    // The long poll was cut short by SIGTERM (handler ran): nothing received.
    if (env_.terminate) return Shutdown(0, -1, 0);
    env_.err("ReceiveMessage on " + o_.queue + " failed: " + r.error);
    return 1;
  }
  std::string error;
  if (!ParseReceiveResult(r.body, batch_, error)) {
    batch_.clear();
    env_.err("ReceiveMessage on " + o_.queue + " returned a malformed result: " + error);
    return 1;
  }
  for (const auto& m : batch_) {
    std::string why;
    items_.push_back(ParseItemBody(m.body, o_.items, why));
    body_errors_.push_back(items_.back() ? "" : why);
  }
  return std::nullopt;
}

std::optional<int> QueueConsumer::HandleMessage(size_t index) {
  const ReceivedMessage& m = batch_[index];
  const std::string count = m.receive_count >= 0 ? std::to_string(m.receive_count) : "?";
  if (!items_[index]) {
    ++bad_;
    env_.err("Bad message " + m.message_id + " (receive count " + count + "): body " + m.body + ": " +
             body_errors_[index] +
             "; want {\"item\": k} or k; leaving it");
    return std::nullopt;
  }
  const int64_t item = *items_[index];
  env_.out("Received item " + std::to_string(item) + " (receive count " + count + ")");
  if (o_.skip_done && env_.store.Has(item)) {
    env_.out("Skipped item " + std::to_string(item) + " (already committed)");
    ++skipped_;
    Delete(m, item);
    return std::nullopt;
  }
  auto r = WorkOn(item);
  if (r.interrupted && env_.terminate) return Shutdown(index, item, r.remaining_us);
  if (!Finish(m, item)) return 1;
  ++processed_;
  return std::nullopt;
}

client::WaitResult QueueConsumer::WorkOn(int64_t item) {
  int64_t left = o_.item_ms * 1000;
  if (!o_.heartbeat) return rt_.Work(item, left);
  const int64_t every = std::max<int64_t>(1, o_.visibility_s * 1000000 / 2);
  while (true) {
    const int64_t slice = std::min(left, every);
    auto r = rt_.Work(item, slice);
    left -= slice;
    if (r.interrupted) return {true, r.remaining_us + left};
    if (left <= 0) return {};
    Heartbeat();
    if (env_.terminate) return {true, left};
  }
}

void QueueConsumer::Heartbeat() {
  int64_t extended = 0;
  for (size_t i = current_; i < batch_.size(); ++i) {
    if (!items_[i]) continue;
    Json args = {{"QueueUrl", o_.queue},
                 {"ReceiptHandle", batch_[i].receipt_handle},
                 {"VisibilityTimeout", o_.visibility_s}};
    auto r = QuickCall("sqs.ChangeMessageVisibility", args);
    if (r.ok) {
      ++extended;
    } else {
      env_.err("ChangeMessageVisibility failed for item " + std::to_string(*items_[i]) + ": " + r.error);
    }
  }
  env_.out("Heartbeat: visibility of " + std::to_string(extended) + " message(s) extended to " +
           std::to_string(o_.visibility_s) + " s");
}

bool QueueConsumer::Finish(const ReceivedMessage& m, int64_t item) {
  if (!env_.store.Commit(item, ItemResult(item), env_.writer, rt_.NowMs())) {
    env_.err("checkpoint write failed at item " + std::to_string(item) + ": " + env_.store.last_error());
    return false;
  }
  rt_.Committed(item);
  Delete(m, item);
  return true;
}

bool QueueConsumer::Delete(const ReceivedMessage& m, int64_t item) {
  Json args = {{"QueueUrl", o_.queue}, {"ReceiptHandle", m.receipt_handle}};
  auto r = QuickCall("sqs.DeleteMessage", args);
  if (!r.ok) {
    env_.err("DeleteMessage failed for item " + std::to_string(item) + ": " + r.error);
    return false;
  }
  env_.out("Deleted item " + std::to_string(item));
  return true;
}

int QueueConsumer::Shutdown(size_t index, int64_t item, int64_t remaining_us) {
  if (o_.on_sigterm == "cleanup") return RunCleanup(o_, env_, item);
  // graceful
  if (item >= 0 && (remaining_us == 0 || o_.finish_item)) {
    if (remaining_us > 0) rt_.Work(item, remaining_us);
    if (!Finish(batch_[index], item)) return 1;
    ++processed_;
    env_.out("Received SIGTERM: finished item " + std::to_string(item) + ", exiting");
  } else if (item >= 0) {
    env_.out("Received SIGTERM: abandoning item " + std::to_string(item) + ", exiting");
  } else {
    env_.out("Received SIGTERM: no item in progress, exiting");
  }
  return 0;
}

}  // namespace

std::optional<int64_t> ParseItemBody(std::string_view body, int64_t items, std::string& error) {
  Json j = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    error = "not JSON";
    return std::nullopt;
  }
  if (j.is_object()) {
    auto it = j.find("item");
    if (it == j.end()) {
      error = "no \"item\" key";
      return std::nullopt;
    }
    auto k = ItemIndex(*it, items, error);
    if (!k && error == "not an integer") error = "\"item\" is not an integer";
    return k;
  }
  return ItemIndex(j, items, error);
}

bool ParseReceiveResult(std::string_view json, std::vector<ReceivedMessage>& out, std::string& error) {
  out.clear();
  Json j = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    error = "not a JSON object";
    return false;
  }
  auto messages = j.find("Messages");
  if (messages == j.end() || messages->is_null()) return true;
  if (!messages->is_array()) {
    error = "Messages is not an array";
    return false;
  }
  for (const auto& m : *messages) {
    if (!m.is_object()) {
      error = "a message is not an object";
      return false;
    }
    ReceivedMessage r;
    for (auto [key, field] : {std::pair{"MessageId", &r.message_id}, std::pair{"ReceiptHandle", &r.receipt_handle},
                              std::pair{"Body", &r.body}}) {
      auto it = m.find(key);
      if (it == m.end() || !it->is_string()) {
        error = std::string("a message has no string ") + key;
        return false;
      }
      *field = it->get<std::string>();
    }
    if (auto attrs = m.find("Attributes"); attrs != m.end() && attrs->is_object()) {
      if (auto c = attrs->find("ApproximateReceiveCount"); c != attrs->end()) {
        if (c->is_string()) {
          const std::string s = c->get<std::string>();
          int64_t n = 0;
          auto res = std::from_chars(s.data(), s.data() + s.size(), n);
          if (res.ec == std::errc() && res.ptr == s.data() + s.size()) r.receive_count = n;
        } else if (c->is_number_integer()) {
          r.receive_count = c->get<int64_t>();
        }
      }
    }
    out.push_back(std::move(r));
  }
  return true;
}

std::string NeedsSimulatorMessage(const Options& o) {
  return "ecsim-worker: queue mode (queue " + o.queue +
         ") needs the simulator: its SQS calls go over the control channel, and ECSIM_CONTROL_FD is not set";
}

std::string ReceiveMessageArgs(const Options& o) {
  Json args = {{"QueueUrl", o.queue}, {"MaxNumberOfMessages", o.batch}, {"WaitTimeSeconds", o.wait_s}};
  if (o.visibility_s > 0) args["VisibilityTimeout"] = o.visibility_s;
  return args.dump();
}

int RunQueue(const Options& o, WorkerEnv& env) { return QueueConsumer(o, env).Run(); }

}  // namespace ecsim::worker
