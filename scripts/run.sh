#!/usr/bin/env bash
# Installs what is missing, builds, and runs a scenario (default: the
# quickstart), printing its timeline and summary.
#   scripts/run.sh [SCENARIO] [ecsim run options...]
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ecsim_install_deps
ecsim_build release
scenario="${1:-scenarios/00-quickstart.yaml}"
shift || true
cd "$ECSIM_ROOT"
exec build/bin/ecsim run "$scenario" --force "$@"
