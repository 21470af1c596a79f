# Shared by the scripts in scripts/: installs missing Debian packages and
# builds with CMake presets. Source it; do not run it.
set -euo pipefail

ECSIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ECSIM_ROOT

# Debian 12 packages ecsim needs to build and test.
ECSIM_PACKAGES=(g++ cmake ninja-build libsqlite3-dev sqlite3 libfmt-dev nlohmann-json3-dev libcli11-dev
                libyaml-cpp-dev libgtest-dev libgmock-dev googletest tzdata)

ecsim_install_deps() {
  local missing=() pkg boost_pkgs
  # Boost: use what is there (1.74 via libboost-dev, or 1.81); install 1.74 otherwise.
  if dpkg-query -W -f='${Status}' libboost1.81-dev 2>/dev/null | grep -q "ok installed"; then
    boost_pkgs=(libboost1.81-dev libboost-filesystem1.81-dev)
  else
    boost_pkgs=(libboost-dev libboost-filesystem-dev)
  fi
  for pkg in "${ECSIM_PACKAGES[@]}" "${boost_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "ecsim: installing missing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "ecsim: need root or sudo to install ${missing[*]}" >&2; exit 2; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

# ecsim_build PRESET: configure and build with a CMake preset (release, asan).
ecsim_build() {
  local preset="$1"
  cd "$ECSIM_ROOT"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "${ECSIM_JOBS:-2}"
}
