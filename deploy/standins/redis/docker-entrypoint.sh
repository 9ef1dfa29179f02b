#!/bin/sh
# Mirrors the official image's entrypoint where it matters to compose files.
set -eu

# `IMAGE --appendonly yes` means arguments for redis-server.
if [ "${1#-}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = redis-server ]; then
  shift
  # Clients come over a container network, not loopback: the official image
  # turns protected mode off, Debian's build leaves it on.
  set -- redis-server --protected-mode no "$@"
fi

exec "$@"
