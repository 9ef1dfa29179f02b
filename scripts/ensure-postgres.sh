#!/usr/bin/env bash
# Make sure PostgreSQL's server binaries (initdb, pg_ctl) are installed, and print
# the directory that holds them: make bench and make bench-rows start a throwaway
# cluster from them. Installs Debian's package when running as root or with sudo.
set -euo pipefail

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(find_bin)" ] && ! command -v initdb >/dev/null 2>&1; then
  # shellcheck source=scripts/debian_packages.sh
  . "$(dirname "$0")/debian_packages.sh"
  if ! install_debian_packages postgresql; then
    cat >&2 <<'MSG'
PostgreSQL's server (initdb, pg_ctl) was not found and could not be installed.
Install it (Debian/Ubuntu: sudo apt-get install postgresql), or point PG_BIN at a
directory holding initdb and pg_ctl.
MSG
    exit 1
  fi
fi
bin="$(find_bin)"
echo "${bin:-$(dirname "$(command -v initdb)")}"
