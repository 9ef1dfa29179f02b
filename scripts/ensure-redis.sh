#!/usr/bin/env bash
# Make sure a redis-server binary is on PATH (development and tests start their
# own server from it). Installs Debian's package when running as root or with
# sudo; otherwise says how to install it.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

# shellcheck source=scripts/debian_packages.sh
. "$(dirname "$0")/debian_packages.sh"
if install_debian_packages redis-server; then
  exit 0
fi
if command -v brew >/dev/null 2>&1; then
  brew install redis
  exit 0
fi
cat >&2 <<'MSG'
redis-server was not found and could not be installed automatically.
Install Redis 6.2 or newer, then run make again:
  Debian/Ubuntu:  sudo apt-get install redis-server
  Fedora:         sudo dnf install redis
  macOS:          brew install redis
MSG
exit 1
