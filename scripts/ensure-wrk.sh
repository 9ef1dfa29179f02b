#!/usr/bin/env bash
# Make sure wrk (the HTTP load generator `make bench` drives the web with) is on PATH.
# Installs Debian's package when running as root or with sudo; otherwise says how.
set -euo pipefail

if command -v wrk >/dev/null 2>&1; then
  exit 0
fi

install_apt() {
  $1 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $1 apt-get install -y -qq --no-install-recommends wrk >/dev/null
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
