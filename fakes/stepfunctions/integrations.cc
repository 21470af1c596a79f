#include "fakes/stepfunctions/integrations.h"

#include <cctype>
#include <memory>

#include <fmt/format.h>

#include "fakes/stepfunctions/data_flow.h"

namespace fakes::stepfunctions {

using sim::Json;

namespace {

Json ConvertKeys(const Json& value, bool upper) {
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& e : value) out.push_back(ConvertKeys(e, upper));
    return out;
  }
  if (!value.is_object()) return value;
  Json out = Json::object();
  for (auto it = value.begin(); it != value.end(); ++it) {
    std::string key = it.key();
    if (!key.empty()) {
      unsigned char c = static_cast<unsigned char>(key[0]);
      key[0] = static_cast<char>(upper ? std::toupper(c) : std::tolower(c));
    }
    out[key] = ConvertKeys(it.value(), upper);
  }
  return out;
}

// True when the stopped task ran every container to exit code 0.
bool TaskSucceeded(const Json& task) {
  auto it = task.find("containers");
  if (it == task.end() || !it->is_array() || it->empty()) return false;
  for (const auto& c : *it) {
    auto code = c.find("exitCode");
    if (code == c.end() || !code->is_number_integer() || code->get<int64_t>() != 0) return false;
  }
  return true;
}

struct SyncWait {
  bool cancelled = false;
  size_t remaining = 0;
  std::vector<std::string> arns;
  std::vector<bool> stopped;
  Json first_task;
  Json failed_task;  // first task (in stop order) that failed; null if none
  std::function<void(TaskResult)> done;
};

}  // namespace

Json ToCamelCaseKeys(const Json& value) { return ConvertKeys(value, false); }
Json ToPascalCaseKeys(const Json& value) { return ConvertKeys(value, true); }

std::function<void()> AwsIntegrations::Invoke(const std::string& resource, const Json& parameters,
                                              std::function<void(TaskResult)> done) {
  return InvokeReportingSubmission(resource, parameters, [](const Json&) {}, std::move(done));
}

std::function<void()> AwsIntegrations::InvokeReportingSubmission(const std::string& resource, const Json& parameters,
                                                                 std::function<void(const Json&)> submitted,
                                                                 std::function<void(TaskResult)> done) {
  if (resource == kEcsRunTask || resource == kEcsRunTaskSync) {
    bool sync = resource == kEcsRunTaskSync;
    EcsApi::RunTaskOutcome outcome = ecs_.RunTask(ToCamelCaseKeys(parameters));
    if (!outcome.exception_code.empty()) {
      done(TaskResult{false, nullptr, kErrorEcsException,
                      outcome.exception_message.empty() ? outcome.exception_code : outcome.exception_message});
      return {};
    }
    Json response = outcome.response.is_object() ? outcome.response : Json::object();
    if (!response.contains("failures")) response["failures"] = Json::array();
    if (!response.contains("tasks")) response["tasks"] = Json::array();
    Json pascal = ToPascalCaseKeys(response);
    if (!sync) {
      done(TaskResult{true, pascal, "", ""});
      return {};
    }
    if (!response["failures"].empty()) {
      done(TaskResult{false, nullptr, kErrorEcsUnknown, ToPascalCaseKeys(response["failures"]).dump()});
      return {};
    }
    const Json& tasks = response["tasks"];
    if (tasks.empty()) {
      done(TaskResult{false, nullptr, kErrorEcsUnknown, "RunTask started no task"});
      return {};
    }
    submitted(pascal);
    auto wait = std::make_shared<SyncWait>();
    wait->remaining = tasks.size();
    wait->done = std::move(done);
    for (const auto& t : tasks) wait->arns.push_back(t.value("taskArn", std::string()));
    wait->stopped.assign(wait->arns.size(), false);
    for (size_t i = 0; i < wait->arns.size(); ++i) {
      ecs_.WhenStopped(wait->arns[i], [wait, i](const Json& task) {
        wait->stopped[i] = true;
        if (wait->cancelled || wait->remaining == 0) return;
        if (i == 0) wait->first_task = task;
        if (wait->failed_task.is_null() && !TaskSucceeded(task)) wait->failed_task = task;
        if (--wait->remaining > 0) return;
        auto finish = std::move(wait->done);
        if (!wait->failed_task.is_null())
          finish(TaskResult{false, nullptr, kErrorTaskFailed, ToPascalCaseKeys(wait->failed_task).dump()});
        else
          finish(TaskResult{true, ToPascalCaseKeys(wait->first_task), "", ""});
      });
    }
    return [this, wait] {
      if (wait->cancelled) return;
      wait->cancelled = true;
      for (size_t i = 0; i < wait->arns.size(); ++i)
        if (!wait->stopped[i]) ecs_.StopTask(wait->arns[i], kStoppedBySfnReason);
    };
  }
  if (resource == kSnsPublish || resource == kSqsSendMessage) {
    bool sns = resource == kSnsPublish;
    Json out = Json::object();
    std::string code = sns ? messaging_.Publish(parameters, out) : messaging_.SendMessage(parameters, out);
    if (code.empty())
      done(TaskResult{true, out, "", ""});
    else
      done(TaskResult{false, nullptr, code, fmt::format("{} failed: {}", sns ? "SNS Publish" : "SQS SendMessage", code)});
    return {};
  }
  done(TaskResult{false, nullptr, kErrorRuntime, fmt::format("resource '{}' is not modelled by ecsim", resource)});
  return {};
}

}  // namespace fakes::stepfunctions
