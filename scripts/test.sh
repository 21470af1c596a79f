#!/usr/bin/env bash
# Installs what is missing, builds, and runs the test suite through ctest.
#   scripts/test.sh            release build, every test
#   scripts/test.sh --fast     release build, unit tests only (label unit)
#   scripts/test.sh --asan     also build and run everything under ASan/UBSan
# With CI=true the ASan/UBSan suite runs too.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
fast=0 asan=0
[ "${CI:-}" = "true" ] && asan=1
for arg in "$@"; do
  case "$arg" in
    --fast) fast=1 ;;
    --asan) asan=1 ;;
    *) echo "usage: scripts/test.sh [--fast] [--asan]" >&2; exit 2 ;;
  esac
done
ecsim_install_deps
label=()
[ $fast -eq 1 ] && label=(-L unit)
ecsim_build release
(cd "$ECSIM_ROOT" && ctest --preset release "${label[@]}")
if [ $asan -eq 1 ]; then
  ecsim_build asan
  (cd "$ECSIM_ROOT" && ctest --preset asan "${label[@]}")
fi
