// The one source of randomness in a run: a seeded SplitMix64 stream that maps
// bits to ranges itself, so every standard library gives the same draws.
#ifndef ECSIM_SIM_BASE_RNG_H_
#define ECSIM_SIM_BASE_RNG_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sim {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  // An independent stream for one component ("ecs.ids", "spot", ...). Draws in
  // one stream never shift the draws of another, so adding a random choice in
  // one model does not change the outcome of an unrelated one.
  Rng Fork(std::string_view stream) const;

  uint64_t Next();
  // Uniform in [0, n). REQUIRES: n > 0. Lemire's method with rejection: unbiased.
  uint64_t Uniform(uint64_t n);
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t UniformRange(int64_t lo, int64_t hi);
  // Uniform double in [0, 1) from the top 53 bits.
  double NextDouble();
  // Exponentially distributed with the given mean (same units back).
  double Exponential(double mean);
  // True with probability numerator/denominator.
  bool Chance(uint64_t numerator, uint64_t denominator) { return Uniform(denominator) < numerator; }
  // 32 lowercase hex characters, the shape of an ECS task id.
  std::string HexId(size_t chars = 32);

 private:
  uint64_t state_;
};

// FNV-1a, used to derive stream seeds from names. Stable across platforms.
uint64_t StableHash(std::string_view text);

}  // namespace sim

#endif  // ECSIM_SIM_BASE_RNG_H_
