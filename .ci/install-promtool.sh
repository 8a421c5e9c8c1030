#!/usr/bin/env bash
# Installs promtool, which the observability tests run as `promtool check rules` on every generated PrometheusRule
# (they skip without it). Idempotent: does nothing when promtool is already on PATH. Works as root, or through sudo
# when that is available. Debian's `prometheus` package is the one that ships /usr/bin/promtool.
set -euo pipefail

if command -v promtool >/dev/null 2>&1; then
  echo "promtool: already installed ($(promtool --version 2>&1 | head -n1 || true))"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "warning: promtool is missing and neither root nor passwordless sudo is available;" >&2
  echo "         the PrometheusRule checks will be skipped" >&2
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: promtool is missing and apt-get is not available; the PrometheusRule checks will be skipped" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# The package index may be absent on a fresh image; refresh it only when the install cannot find the package.
if ! $SUDO apt-get install -y --no-install-recommends prometheus; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends prometheus
fi
command -v promtool >/dev/null
echo "promtool: installed ($(promtool --version 2>&1 | head -n1 || true))"
