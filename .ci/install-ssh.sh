#!/usr/bin/env bash
# Installs the OpenSSH server the remote-command tests start on loopback (they skip without /usr/sbin/sshd).
# Idempotent: does nothing when sshd is already there. Works as root, or through sudo when that is available.
set -euo pipefail

if [ -x /usr/sbin/sshd ]; then
  echo "openssh-server: already installed ($(/usr/sbin/sshd -V 2>&1 | head -n1 || true))"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "warning: /usr/sbin/sshd is missing and neither root nor passwordless sudo is available;" >&2
  echo "         the remote-command tests will be skipped" >&2
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: /usr/sbin/sshd is missing and apt-get is not available; the remote-command tests will be skipped" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# The package index may be absent on a fresh image; refresh it only when the install cannot find the package.
if ! $SUDO apt-get install -y --no-install-recommends openssh-server; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends openssh-server
fi
test -x /usr/sbin/sshd
echo "openssh-server: installed"
