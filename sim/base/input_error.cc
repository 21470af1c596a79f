#include "sim/base/input_error.h"

#include <fmt/format.h>

namespace sim {

std::string InputError::Render(const SourceLocation& where, const std::string& message) {
  return fmt::format("{}{}: {}{}", where.file.empty() ? "<input>" : where.file,
                     where.line > 0 ? fmt::format(":{}", where.line) : std::string(),
                     where.key.empty() ? std::string() : where.key + ": ", message);
}

}  // namespace sim
