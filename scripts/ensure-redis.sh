#!/usr/bin/env bash
# Make sure a redis-server binary is on PATH (development and tests start their
# own server from it). Installs Debian's package when running as root or with
# sudo; otherwise says how to install it.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

install_apt() {
  $1 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $1 apt-get install -y -qq --no-install-recommends redis-server >/dev/null
}

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    install_apt ""
    exit 0
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    install_apt sudo
    exit 0
  fi
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
