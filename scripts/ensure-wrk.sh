#!/usr/bin/env bash
# Make sure wrk (the HTTP load generator `make bench` drives the web with) is on PATH.
# Installs Debian's package when running as root or with sudo; otherwise says how.
set -euo pipefail

if command -v wrk >/dev/null 2>&1; then
  exit 0
fi

# shellcheck source=scripts/debian_packages.sh
. "$(dirname "$0")/debian_packages.sh"
if install_debian_packages wrk; then
  exit 0
fi
if command -v brew >/dev/null 2>&1; then
  brew install wrk
  exit 0
fi
cat >&2 <<'MSG'
wrk was not found and could not be installed automatically.
Install it, then run make bench again:
  Debian/Ubuntu:  sudo apt-get install wrk
  Fedora:         sudo dnf install wrk
  macOS:          brew install wrk
MSG
exit 1
