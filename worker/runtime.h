// The worker's view of its environment: (virtual) time, work, the job ledger
// and simulated AWS calls. ClientRuntime forwards to ecsim::client::Client;
// tests substitute a scripted fake, so the loops run without the simulator.
#ifndef ECSIM_WORKER_RUNTIME_H_
#define ECSIM_WORKER_RUNTIME_H_

#include <csignal>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "worker/checkpoint_store.h"
#include "worker/client.h"

namespace ecsim::worker {

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual bool simulated() = 0;
  virtual int64_t NowMs() = 0;
  virtual client::WaitResult Sleep(int64_t us) = 0;
  virtual client::WaitResult Work(int64_t item, int64_t us) = 0;
  virtual void Committed(int64_t item) = 0;
  virtual void Job(int64_t total, int64_t start) = 0;
  virtual client::CallResult Call(const std::string& operation, const std::string& json_args) = 0;
};

class ClientRuntime final : public Runtime {
 public:
  explicit ClientRuntime(client::Client& c) : c_(c) {}
  bool simulated() override { return c_.simulated(); }
  int64_t NowMs() override { return c_.NowMs(); }
  client::WaitResult Sleep(int64_t us) override { return c_.Sleep(us); }
  client::WaitResult Work(int64_t item, int64_t us) override { return c_.Work(item, us); }
  void Committed(int64_t item) override { c_.Committed(item); }
  void Job(int64_t total, int64_t start) override { c_.Job(total, start); }
  client::CallResult Call(const std::string& operation, const std::string& json_args) override {
    return c_.Call(operation, json_args);
  }

 private:
  client::Client& c_;
};

// Everything a run loop needs besides its options. Nothing is owned.
struct WorkerEnv {
  Runtime& runtime;
  CheckpointStore& store;
  std::string writer;                          // checkpoints' written_by: the task id
  const volatile std::sig_atomic_t& terminate;  // set by the SIGTERM handler
  std::function<void(std::string_view)> out;    // one log line to stdout
  std::function<void(std::string_view)> err;    // one error line to stderr
};

}  // namespace ecsim::worker

#endif  // ECSIM_WORKER_RUNTIME_H_
