// Test helper: the InputError a loader throws, for tests that check where
// bad input is reported (file, line, key) and what it says.
#ifndef ECSIM_SIM_BASE_TESTING_INPUT_ERROR_H_
#define ECSIM_SIM_BASE_TESTING_INPUT_ERROR_H_

#include <gtest/gtest.h>

#include <string>

#include "sim/base/input_error.h"

namespace sim::testing {

// Runs fn and returns the InputError it throws. If it throws none, the test
// fails (naming `what`) and an empty error is returned.
template <typename Fn>
InputError CaptureInputError(Fn fn, const std::string& what = "") {
  try {
    fn();
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "expected sim::InputError" << (what.empty() ? "" : " for:\n" + what);
  return InputError({}, "");
}

}  // namespace sim::testing

#endif  // ECSIM_SIM_BASE_TESTING_INPUT_ERROR_H_
