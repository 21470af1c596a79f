#include "sim/base/input_error.h"

#include <fmt/format.h>

namespace sim {

std::string InputError::Render(const SourceLocation& where, const std::string& message) {
  std::string out = where.file.empty() ? "<input>" : where.file;
  if (where.line > 0) out += fmt::format(":{}", where.line);
  out += ": ";
  if (!where.key.empty()) out += where.key + ": ";
  out += message;
  return out;
}

}  // namespace sim
