#!/usr/bin/env bash
# Make sure a headless-capable Chromium is installed for the browser tests
# (Playwright drives the system's Chromium; it never downloads a browser).
# Installs Debian's package when running as root or with sudo; otherwise says
# how to install it. CHROMIUM_PATH overrides where the tests look for it.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

# shellcheck source=scripts/debian_packages.sh
. "$(dirname "$0")/debian_packages.sh"
if install_debian_packages chromium fonts-dejavu-core fonts-noto-color-emoji; then
  exit 0
fi
cat >&2 <<MSG
Chromium was not found at $CHROMIUM and could not be installed automatically.
Install it, then run make again (or set CHROMIUM_PATH to its binary):
  Debian:   sudo apt-get install chromium
  Ubuntu:   sudo snap install chromium   (then CHROMIUM_PATH=/snap/bin/chromium)
  Fedora:   sudo dnf install chromium
  macOS:    brew install --cask chromium (then CHROMIUM_PATH=.../Chromium.app/Contents/MacOS/Chromium)
MSG
exit 1
