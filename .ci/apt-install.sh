#!/usr/bin/env bash
# Installs a Debian package the tests use, unless what it provides is already there.
#   bash .ci/apt-install.sh <path-or-command that must exist afterwards> <package> <what skips without it>
# Idempotent. Works as root, or through passwordless sudo; without either (or without apt-get) it warns and leaves
# the decision to the caller (.ci/run fails in CI when the tool is still missing).
set -euo pipefail
provides=$1 package=$2 purpose=$3

present() { [ -x "$provides" ] || command -v "$provides" >/dev/null 2>&1; }

if present; then
  echo "$package: already installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "warning: $package is missing and neither root nor passwordless sudo is available; $purpose will be skipped" >&2
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: $package is missing and apt-get is not available; $purpose will be skipped" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# The package index may be absent on a fresh image; refresh it only when the install cannot find the package.
if ! $SUDO apt-get install -y --no-install-recommends "$package"; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "$package"
fi
present
echo "$package: installed"
