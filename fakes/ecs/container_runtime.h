// The seam between the ECS model and real processes: ECS asks for containers
// to be started and signalled; the simulator's process host does it.
#ifndef ECSIM_FAKES_ECS_CONTAINER_RUNTIME_H_
#define ECSIM_FAKES_ECS_CONTAINER_RUNTIME_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/base/input_error.h"

namespace fakes::ecs {

class ContainerRuntime {
 public:
  using Handle = uint64_t;
  struct Spec {
    std::string task_id;
    std::string container;
    std::vector<std::string> argv;
    std::vector<std::pair<std::string, std::string>> env;
  };
  struct Exit {
    std::optional<int> exit_code;  // absent when the container never ran
    std::string reason;            // e.g. "CannotStartContainerError: ..." when it never ran
  };
  virtual ~ContainerRuntime() = default;
  // Starts the container now. `on_exit` runs exactly once, never from inside Start.
  virtual Handle Start(const Spec& spec, std::function<void(const Exit&)> on_exit) = 0;
  // SIGTERM runs the process's own handler at the current virtual instant;
  // SIGKILL is a real kill. No effect once the container has exited.
  virtual void Signal(Handle handle, int signo) = 0;
};

}  // namespace fakes::ecs

#endif  // ECSIM_FAKES_ECS_CONTAINER_RUNTIME_H_
