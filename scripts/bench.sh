#!/usr/bin/env bash
# Benchmarks: prints figures, asserts nothing.
#   virtual_speedup      virtual seconds per wall second for a one-hour, 3600-item job
#   per_item_overhead_us wall time per item (channel exchanges + checkpoint commit + simulator)
#   floor_*              the floor measured in the same run: one channel round trip, one SQLite commit
#   compare_runs_per_second  ecsim compare throughput (scenarios 01 vs 02, seeds 1..50, 2 jobs)
#   scripts/bench.sh [RUNS]
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
runs="${1:-5}"
ecsim_install_deps
ecsim_build release >/dev/null
cd "$ECSIM_ROOT"
work="$(mktemp -d /tmp/ecsim-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

eval "$(build/bin/ecsim-floor-probe "$work")"   # round_trip_us, sqlite_commit_us

walls=()
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  build/bin/ecsim run scripts/bench/one-hour.yaml --out "$work/run" --force -q
  end=$(date +%s%N)
  walls+=($(( (end - start) / 1000 )))
done
wall_us=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
virtual_ms=$(python3 -c "import json,sys; print(json.load(open('$work/run/summary.json'))['virtual_ms'])" 2>/dev/null ||
             grep -o '"virtual_ms": [0-9]*' "$work/run/summary.json" | grep -o '[0-9]*$')
# compare throughput: runs per second on this machine, 2 jobs
compare_err="$work/compare.err"
(cd "$work" && "$ECSIM_ROOT/build/bin/ecsim" compare "$ECSIM_ROOT/scenarios/01-naive-restart.yaml" \
   "$ECSIM_ROOT/scenarios/02-checkpoint-resume.yaml" --seeds 1..50 --jobs 2 --json "$work/compare.json" \
   >/dev/null 2>"$compare_err")
compare_rps=$(grep -o '([0-9.]* runs/s)' "$compare_err" | tail -1 | tr -d '(' | cut -d' ' -f1)
compare_runs=$(grep -o '^[0-9]* runs in' "$compare_err" | tail -1 | cut -d' ' -f1)

items=3600
awk -v crps="${compare_rps:-0}" -v cruns="${compare_runs:-0}" -v w="$wall_us" -v v="$virtual_ms" -v n="$items" -v rtt="$round_trip_us" -v c="$sqlite_commit_us" -v runs="$runs" 'BEGIN {
  per_item = w / n; floor = rtt + c;
  printf "bench: one virtual hour, %d items, real ecsim-worker (median of %d runs)\n", n, runs;
  printf "wall_seconds=%.3f\n", w / 1e6;
  printf "virtual_seconds=%.0f\n", v / 1000;
  printf "virtual_speedup=%.0f\n", (v / 1000) / (w / 1e6);
  printf "per_item_overhead_us=%.1f\n", per_item;
  printf "floor_round_trip_us=%.1f\n", rtt;
  printf "floor_sqlite_commit_us=%.1f\n", c;
  printf "floor_per_item_us=%.1f\n", floor;
  printf "overhead_vs_floor=%.2fx\n", per_item / floor;
  printf "compare_runs_per_second=%.1f (ecsim compare, %d runs of scenarios 01/02, 2 jobs)\n", crps, cruns;
  printf "targets: virtual_speedup >= 3600 (%s), overhead_vs_floor <= 3 (%s)\n",
         ((v / 1000) / (w / 1e6) >= 3600 ? "met" : "NOT met"), (per_item / floor <= 3 ? "met" : "NOT met");
}'
