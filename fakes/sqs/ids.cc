#include "fakes/sqs/ids.h"

namespace fakes::sqs {

std::string NewUuid(sim::Rng& rng) {
  std::string hex = rng.HexId(32);
  hex[12] = '4';
  static constexpr char kVariant[] = "89ab";
  hex[16] = kVariant[rng.Uniform(4)];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

std::string NewReceiptHandle(sim::Rng& rng, size_t chars) {
  static constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "AQEB";
  out.reserve(4 + chars);
  for (size_t i = 0; i < chars; ++i) out += kBase64[rng.Uniform(64)];
  return out;
}

}  // namespace fakes::sqs
