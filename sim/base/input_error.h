// Bad input: one line naming file, line and key. Thrown only while loading
// (scenario, AWS documents); the CLI turns it into exit code 2.
#ifndef ECSIM_SIM_BASE_INPUT_ERROR_H_
#define ECSIM_SIM_BASE_INPUT_ERROR_H_

#include <stdexcept>
#include <string>

namespace sim {

// Where in which file a value came from. line is 1-based; 0 = unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  std::string key;  // dotted path to the offending key, e.g. "actions[2].at"
};

class InputError : public std::runtime_error {
 public:
  InputError(SourceLocation where, const std::string& message)
      : std::runtime_error(Render(where, message)), where_(std::move(where)), message_(message) {}

  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }

  // "file:line: key: message" (parts that are unknown are left out).
  static std::string Render(const SourceLocation& where, const std::string& message);

 private:
  SourceLocation where_;
  std::string message_;
};

}  // namespace sim

#endif  // ECSIM_SIM_BASE_INPUT_ERROR_H_
