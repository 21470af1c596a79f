// AWS-shaped identifiers (UUIDs, receipt handles) drawn from a seeded sim::Rng.
#ifndef ECSIM_FAKES_SQS_IDS_H_
#define ECSIM_FAKES_SQS_IDS_H_

#include <string>

#include "sim/base/rng.h"

namespace fakes::sqs {

// "8-4-4-4-12" lowercase hex with the version-4 and RFC 4122 variant nibbles,
// the shape of an SQS MessageId or an SNS MessageId.
std::string NewUuid(sim::Rng& rng);

// An opaque receipt handle: "AQEB" followed by `chars` base64 characters, as
// SQS handles look. Unique per receive; carries no meaning.
std::string NewReceiptHandle(sim::Rng& rng, size_t chars = 80);

}  // namespace fakes::sqs

#endif  // ECSIM_FAKES_SQS_IDS_H_
