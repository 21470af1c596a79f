// Choice state rules: comparison operators, And/Or/Not, Default, and
// States.NoChoiceMatched.
#ifndef ECSIM_FAKES_STEPFUNCTIONS_CHOICE_H_
#define ECSIM_FAKES_STEPFUNCTIONS_CHOICE_H_

#include <string>

#include "fakes/stepfunctions/state_machine.h"
#include "sim/base/document.h"

namespace fakes::stepfunctions {

// True when `rule` holds for `input` ("$$" paths read `context`). A Variable
// that does not resolve is false for IsPresent and throws States.Runtime for
// every other comparator, as AWS does. Type mismatches are false.
bool EvaluateRule(const ChoiceRule& rule, const sim::Json& input, const sim::Json& context);

// The Next of the first matching rule, else Default; no match and no Default
// throws StatesError(States.NoChoiceMatched).
std::string ChooseNext(const State& choice, const sim::Json& input, const sim::Json& context);

// StringMatches: '*' matches any run of characters; "\\*" a literal '*' and
// "\\\\" a literal backslash.
bool WildcardMatch(const std::string& pattern, const std::string& text);

}  // namespace fakes::stepfunctions

#endif  // ECSIM_FAKES_STEPFUNCTIONS_CHOICE_H_
