#!/usr/bin/env bash
# `make test-swarm`: deploy deploy/swarm/stack.yml (with the test changes of
# tests/support/swarm_stack.py) on this engine's swarm, run tests/swarm against
# it, and leave the engine as it was found: the stack, its secrets and volumes
# removed, and the swarm left again if this script started it, whether the
# tests pass or not.
#
# Environment (mk/swarm.mk sets it): SWARM_TEST_STACK, TWEETNOW_TEST_WEB_PORT,
# TWEETNOW_TEST_SANDBOX_PORT, TWEETNOW_IMAGE_TAG and the image variables.
set -euo pipefail
cd "$(dirname "$0")/../.."

STACK=${SWARM_TEST_STACK:?}
WEB_URL=http://localhost:${TWEETNOW_TEST_WEB_PORT:?}
PYTHON=${PYTHON:-.venv/bin/python}
SECRETS=(secret_key encryption_keys x_consumer_key x_consumer_secret redis_url database_url
  smtp_url redis_password postgres_password)
VOLUMES=("${STACK}_redis-data" "${STACK}_postgres-data")

log() { printf '[test-swarm %4ds] %s\n' "$SECONDS" "$*" >&2; }
swarm_state() { docker info --format '{{.Swarm.LocalNodeState}}'; }

found_state=$(swarm_state)
had_gwbridge=0
docker network inspect docker_gwbridge >/dev/null 2>&1 && had_gwbridge=1
we_initialised=0
workdir=$(mktemp -d)

stack_containers() { docker ps "$@" --quiet --filter "label=com.docker.stack.namespace=$STACK"; }

teardown() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  if ((status != 0)) && [[ $(swarm_state) == active ]]; then
    docker stack services "$STACK" 2>/dev/null
    for service in $(docker stack services --quiet "$STACK" 2>/dev/null); do
      docker service ps --no-trunc "$service" 2>/dev/null | head -n 8
      docker service logs --tail 30 "$service" 2>&1 | tail -n 30
    done
  fi
  log "removing the stack"
  docker stack rm "$STACK" >/dev/null 2>&1
  # Tasks stop gracefully (up to their grace periods); volumes can only go
  # once their containers have, and the exited ones (the finished migrate job,
  # tasks replaced by the rolling restart) are not always removed at once.
  local i
  for ((i = 0; i < 120; i++)); do
    [[ -z $(stack_containers) ]] && break
    sleep 1
  done
  stack_containers --all | xargs --no-run-if-empty docker rm --force >/dev/null 2>&1
  for secret in "${SECRETS[@]}"; do docker secret rm "${STACK}_$secret" >/dev/null 2>&1; done
  for volume in "${VOLUMES[@]}"; do docker volume rm "$volume" >/dev/null 2>&1; done
  if ((we_initialised)); then
    log "leaving the swarm this test started"
    docker swarm leave --force >/dev/null
    ((had_gwbridge)) || docker network rm docker_gwbridge >/dev/null 2>&1
  fi
  rm -rf "$workdir"
  local now
  now=$(swarm_state)
  if [[ $now != "$found_state" ]]; then
    log "ERROR: swarm state is $now, was $found_state"
    status=1
  fi
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT TERM

case $found_state in
  inactive)
    log "initialising a single-node swarm"
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null
    we_initialised=1
    ;;
  active) log "using the swarm this engine is already part of" ;;
  *)
    log "ERROR: swarm state is $found_state"
    exit 1
    ;;
esac

# Secrets as an operator creates them, values of this run only.
redis_password=$(openssl rand -hex 16)
postgres_password=$(openssl rand -hex 16)
declare -A values=(
  [secret_key]=$(openssl rand -hex 32)
  [encryption_keys]=$("$PYTHON" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
  [x_consumer_key]=sandbox-consumer-key
  [x_consumer_secret]=sandbox-consumer-secret
  [redis_url]="redis://:$redis_password@redis:6379/0"
  [database_url]="postgresql://tweetnow:$postgres_password@postgres:5432/tweetnow"
  [smtp_url]=smtp://maildev:1025
  [redis_password]=$redis_password
  [postgres_password]=$postgres_password
)
for secret in "${SECRETS[@]}"; do
  printf '%s\n' "${values[$secret]}" | docker secret create "${STACK}_$secret" - >/dev/null
done

"$PYTHON" -m tests.support.swarm_stack "$workdir/stack.yml"

started=$SECONDS
log "deploying $STACK"
docker stack deploy --resolve-image never --compose-file "$workdir/stack.yml" "$STACK" >&2
# Converged: every replicated service has all its tasks running (and healthy:
# a task with a health check counts as running only once healthy), the migrate
# job has completed, and web answers ready (the schema is current).
converged() {
  local name replicas
  while read -r name replicas; do
    case $name in
      *_migrate) [[ $replicas == *"(1/1 completed)"* ]] || return 1 ;;
      *) [[ $replicas =~ ^([0-9]+)/([0-9]+)$ && ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" ]] || return 1 ;;
    esac
  done < <(docker stack services --format '{{.Name}} {{.Replicas}}' "$STACK")
  curl --silent --fail --max-time 3 "$WEB_URL/readyz" >/dev/null
}
deadline=$((SECONDS + 300))
until converged; do
  if ((SECONDS > deadline)); then
    log "ERROR: the stack did not converge within 300 s"
    exit 1
  fi
  sleep 2
done
deploy_s=$((SECONDS - started))
log "stack deployed and ready in $deploy_s s"
docker stack services "$STACK" >&2

started=$SECONDS
status=0
"$PYTHON" -m pytest tests/swarm -p no:cacheprovider || status=$?
log "tests took $((SECONDS - started)) s (deploy took $deploy_s s)"
exit "$status"
