#!/usr/bin/env bash
# Make sure PostgreSQL's server binaries (initdb, pg_ctl) are installed, for the
# benchmarks that start a throwaway cluster of their own (make bench-rows). Installs
# Debian's package when running as root or with sudo; otherwise says how.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1; then
  exit 0
fi

# shellcheck source=scripts/debian_packages.sh
. "$(dirname "$0")/debian_packages.sh"
if install_debian_packages postgresql; then
  exit 0
fi
cat >&2 <<'MSG'
PostgreSQL's server (initdb, pg_ctl) was not found and could not be installed automatically.
Install it, or point PG_BIN at a directory holding initdb and pg_ctl:
  Debian/Ubuntu:  sudo apt-get install postgresql
  macOS:          brew install postgresql@15
MSG
exit 1
