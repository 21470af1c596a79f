#include "sim/run/task_launcher.h"

#include <fmt/format.h>

namespace sim::run {

void TaskLauncher::Launch(const Json& request, const std::optional<scenario::Backoff>& retry,
                          const std::string& origin, Placed placed, int attempt) {
  auto out = ecs_.RunTask(request);
  std::string td = request.value("taskDefinition", "");
  Json data = {{"origin", origin}, {"attempt", attempt}, {"request", request}};
  std::string text;
  bool placed_any = out.ok() && !out.task_ids.empty();
  if (!out.ok()) {
    data["exception"] = {{"code", out.exception_code}, {"message", out.exception_message}};
    text = fmt::format("RunTask {} failed: {}: {}", td, out.exception_code, out.exception_message);
  } else {
    data["response"] = {{"tasks", Json::array()}, {"failures", out.response["failures"]}};
    for (const auto& t : out.response["tasks"]) data["response"]["tasks"].push_back(t["taskArn"]);
    text = fmt::format("RunTask {} -> {} task(s)", td, out.task_ids.size());
    if (!out.response["failures"].empty())
      text += fmt::format(", {} failure(s): {}", out.response["failures"].size(),
                          out.response["failures"][0]["reason"].get<std::string>());
  }
  bool again = !placed_any && retry && attempt < retry->max_attempts;
  if (again) {
    Duration wait = retry->Delay(attempt);
    data["retry_in_ms"] = ToMicros(wait) / 1000;
    text += fmt::format(" (retry {}/{} in {})", attempt + 1, retry->max_attempts, FormatSeconds(wait));
  } else if (!placed_any && retry) {
    text += fmt::format(" (gave up after {} attempts)", attempt);
  }
  if (attempt > 1 || !origin.empty()) text += " [" + origin + "]";
  recorder_.Event(loop_.Now(), "ecs.run_task", "", data, text);
  if (!out.task_ids.empty() && placed) placed(out.task_ids);
  if (again) {
    loop_.After(retry->Delay(attempt), [this, request, retry, origin, placed, attempt] {
      Launch(request, retry, origin, placed, attempt + 1);
    });
  }
}

}  // namespace sim::run
