// The view of ECS tasks that AWS FIS needs: list them to resolve targets, stop
// them for aws:ecs:stop-task. The simulator implements it over its ECS model.
#ifndef ECSIM_FAKES_FIS_TASK_DIRECTORY_H_
#define ECSIM_FAKES_FIS_TASK_DIRECTORY_H_

#include <map>
#include <string>
#include <vector>

namespace fakes::fis {

class TaskDirectory {
 public:
  virtual ~TaskDirectory() = default;

  struct TaskInfo {
    std::string arn, cluster_arn, cluster_name, group;  // group: "service:<name>" for services
    std::map<std::string, std::string> tags;
    std::string last_status;
  };

  // Every known task, in a stable order.
  virtual std::vector<TaskInfo> ListTasks() = 0;
  // Control-plane StopTask (SIGTERM, stopTimeout, SIGKILL happen in the ECS model).
  virtual void StopTask(const std::string& task_arn, const std::string& reason) = 0;
};

}  // namespace fakes::fis

#endif  // ECSIM_FAKES_FIS_TASK_DIRECTORY_H_
