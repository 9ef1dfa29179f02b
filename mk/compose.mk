# Docker verbs, included by the Makefile. Plain `docker compose` with the
# official images; set REDIS_IMAGE, POSTGRES_IMAGE, MAILDEV_IMAGE,
# PROMETHEUS_IMAGE or PYTHON_IMAGE in the environment (or .env) to use others.
COMPOSE ?= docker compose
# promtool comes in the Prometheus image (the stand-in's too).
PROMETHEUS_IMAGE ?= prom/prometheus:v2.53.4

# test-compose runs a project of its own (name, published ports, volumes), so
# it never touches a stack started with `make up`, and drops its volumes after.
TEST_WEB_PORT ?= 18000
TEST_SANDBOX_PORT ?= 18081
TEST_MAILDEV_PORT ?= 11080
TEST_PROMETHEUS_PORT ?= 19090
TEST_COMPOSE_ENV := \
  COMPOSE_PROJECT_NAME=tweetnow-test \
  COMPOSE_FILE=docker-compose.yml:tests/compose/compose.test.yml \
  WEB_PUBLISHED_PORT=$(TEST_WEB_PORT) \
  SANDBOX_PUBLISHED_PORT=$(TEST_SANDBOX_PORT) \
  MAILDEV_WEB_PUBLISHED_PORT=$(TEST_MAILDEV_PORT) \
  MAILDEV_SMTP_PUBLISHED_PORT=11025 \
  PROMETHEUS_PUBLISHED_PORT=$(TEST_PROMETHEUS_PORT) \
  METRICS_SUBNET=10.217.92.0/24 \
  TWEETNOW_TEST_COMPOSE=1 \
  TWEETNOW_TEST_WEB_URL=http://localhost:$(TEST_WEB_PORT) \
  TWEETNOW_TEST_SANDBOX_URL=http://localhost:$(TEST_SANDBOX_PORT) \
  TWEETNOW_TEST_MAILDEV_URL=http://localhost:$(TEST_MAILDEV_PORT) \
  TWEETNOW_TEST_PROMETHEUS_URL=http://localhost:$(TEST_PROMETHEUS_PORT)

# test-faults-compose runs a project of its own too, on other ports and image tags,
# so it can run beside test-compose on one machine.
FAULTS_WEB_PORT ?= 28000
FAULTS_SANDBOX_PORT ?= 28081
FAULTS_MAILDEV_PORT ?= 21080
FAULTS_COMPOSE_ENV := \
  COMPOSE_PROJECT_NAME=tweetnow-faults \
  COMPOSE_FILE=docker-compose.yml:tests/faults_compose/compose.faults.yml \
  TWEETNOW_IMAGE_TAG=faults \
  WEB_PUBLISHED_PORT=$(FAULTS_WEB_PORT) \
  SANDBOX_PUBLISHED_PORT=$(FAULTS_SANDBOX_PORT) \
  MAILDEV_WEB_PUBLISHED_PORT=$(FAULTS_MAILDEV_PORT) \
  MAILDEV_SMTP_PUBLISHED_PORT=21025 \
  METRICS_SUBNET=10.217.93.0/24 \
  TWEETNOW_TEST_FAULTS_COMPOSE=1 \
  TWEETNOW_TEST_WEB_URL=http://localhost:$(FAULTS_WEB_PORT) \
  TWEETNOW_TEST_SANDBOX_URL=http://localhost:$(FAULTS_SANDBOX_PORT) \
  TWEETNOW_TEST_MAILDEV_URL=http://localhost:$(FAULTS_MAILDEV_PORT)

# soak runs a project of its own too (the stack people deploy: PostgreSQL, three
# tweeters), on its own ports and image tags. The knobs: how long (warm-up
# included; an empty warm-up is a fifth of it), requests a second in all, locust
# users (one person each), tweeter containers.
SOAK_DURATION ?= 10m
SOAK_WARMUP ?=
SOAK_RATE ?= 40
SOAK_USERS ?= 40
SOAK_TWEETERS ?= 3
SOAK_WEB_PORT ?= 38000
SOAK_SANDBOX_PORT ?= 38081
SOAK_COMPOSE_ENV := \
  COMPOSE_PROJECT_NAME=tweetnow-soak \
  COMPOSE_FILE=docker-compose.yml \
  TWEETNOW_IMAGE_TAG=soak \
  WEB_PUBLISHED_PORT=$(SOAK_WEB_PORT) \
  SANDBOX_PUBLISHED_PORT=$(SOAK_SANDBOX_PORT) \
  MAILDEV_WEB_PUBLISHED_PORT=31080 \
  MAILDEV_SMTP_PUBLISHED_PORT=31025 \
  METRICS_SUBNET=10.217.94.0/24

.PHONY: images up down logs ps scale seed test-compose test-monitoring test-faults-compose soak

images: ## Build the service images (docker compose build)
	$(COMPOSE) build

up: ## Start the stack with Docker in the background, waiting until it is healthy
	$(COMPOSE) up --detach --build --wait
	@echo "web: http://localhost:8000   X sandbox: http://localhost:8081   MailDev: http://localhost:1080"

down: ## Stop the Docker stack (data volumes are kept; `docker compose down -v` drops them)
	$(COMPOSE) down

logs: ## Follow the Docker stack's logs (one service: make logs svc=tweeter)
	$(COMPOSE) logs --follow --tail=100 $(svc)

ps: ## List the Docker stack's containers
	$(COMPOSE) ps --all

seed: ## Fill the running stack's PostgreSQL with 10,000 people and a million tweets (make seed ARGS="--tweets 200000"); never in production
	$(COMPOSE) run --rm web tweetnow-seed $(ARGS)

scale: ## Scale the workers of the running stack: make scale tweeter=3 [mailer=2]
	@test -n "$(tweeter)$(mailer)" || { echo "usage: make scale tweeter=N [mailer=N]" >&2; exit 2; }
	$(COMPOSE) up --detach --no-recreate --wait \
	  $(if $(tweeter),--scale tweeter=$(tweeter)) $(if $(mailer),--scale mailer=$(mailer))
	$(COMPOSE) ps

test-compose: venv ## Build the images, start the stack with 3 tweeters, run tests/system and tests/compose against it (Prometheus: tests/compose/test_monitoring.py)
	@set -euo pipefail; export $(TEST_COMPOSE_ENV); \
	teardown() { $(COMPOSE) --profile monitoring down --volumes --remove-orphans --timeout 30 >/dev/null 2>&1 || true; }; \
	trap teardown EXIT; \
	teardown; \
	t=$$SECONDS; $(COMPOSE) build; echo "test-compose: images built in $$((SECONDS - t)) s"; \
	t=$$SECONDS; \
	if ! $(COMPOSE) up --detach --wait --wait-timeout 180 --scale tweeter=3; then \
	  $(COMPOSE) ps --all; $(COMPOSE) logs --no-color --tail=60; exit 1; \
	fi; \
	echo "test-compose: stack healthy in $$((SECONDS - t)) s"; \
	$(COMPOSE) ps --all; $(COMPOSE) images; \
	t=$$SECONDS; status=0; \
	$(VENV)/bin/pytest tests/system tests/compose || status=$$?; \
	echo "test-compose: tests took $$((SECONDS - t)) s"; \
	if [ $$status -ne 0 ]; then $(COMPOSE) logs --no-color --tail=80; fi; \
	exit $$status

# promtool from the Prometheus image, on the files mounted where the image reads them.
PROMTOOL = docker run --rm --network none --entrypoint promtool \
  --volume $(CURDIR)/deploy/monitoring:/etc/prometheus:ro --workdir /etc/prometheus $(PROMETHEUS_IMAGE)

test-monitoring: ## Check the Prometheus configurations (compose, Swarm) and alert rules, and run the rules' unit tests
	$(PROMTOOL) check config prometheus.yml prometheus.swarm.yml
	$(PROMTOOL) test rules alerts.test.yml

test-faults-compose: venv ## Build, start the stack with PostgreSQL and 3 tweeters, crash/cut off/restart/pause its containers under load, print the table, delete it
	@set -euo pipefail; export $(FAULTS_COMPOSE_ENV); \
	teardown() { $(COMPOSE) down --volumes --remove-orphans --timeout 30 >/dev/null 2>&1 || true; }; \
	trap teardown EXIT; \
	teardown; \
	t=$$SECONDS; $(COMPOSE) build; echo "test-faults-compose: images built in $$((SECONDS - t)) s"; \
	t=$$SECONDS; \
	if ! $(COMPOSE) up --detach --wait --wait-timeout 180 --scale tweeter=3; then \
	  $(COMPOSE) ps --all; $(COMPOSE) logs --no-color --tail=60; exit 1; \
	fi; \
	echo "test-faults-compose: stack healthy in $$((SECONDS - t)) s"; \
	t=$$SECONDS; status=0; \
	$(VENV)/bin/pytest tests/faults_compose -p no:cacheprovider || status=$$?; \
	echo "test-faults-compose: scenarios took $$((SECONDS - t)) s"; \
	if [ $$status -ne 0 ]; then $(COMPOSE) ps --all; $(COMPOSE) logs --no-color --tail=80; fi; \
	exit $$status

soak: $(BENCH_STAMP) ## Build, start a stack with PostgreSQL and 3 tweeters, drive it with locust at a steady rate for SOAK_DURATION (10m), report latency, errors, queues and memory growth, delete it (not in CI)
	@set -euo pipefail; export $(SOAK_COMPOSE_ENV); \
	teardown() { $(COMPOSE) down --volumes --remove-orphans --timeout 30 >/dev/null 2>&1 || true; }; \
	trap teardown EXIT; trap 'exit 130' INT TERM; \
	teardown; \
	t=$$SECONDS; $(COMPOSE) build; echo "soak: images built in $$((SECONDS - t)) s"; \
	t=$$SECONDS; \
	if ! $(COMPOSE) up --detach --wait --wait-timeout 180 --scale tweeter=$(SOAK_TWEETERS); then \
	  $(COMPOSE) ps --all; $(COMPOSE) logs --no-color --tail=60; exit 1; \
	fi; \
	echo "soak: stack healthy in $$((SECONDS - t)) s"; \
	status=0; \
	$(PY) -m bench.soak --web-url http://localhost:$(SOAK_WEB_PORT) \
	  --sandbox-url http://localhost:$(SOAK_SANDBOX_PORT) --duration '$(SOAK_DURATION)' \
	  --warmup '$(SOAK_WARMUP)' --rate '$(SOAK_RATE)' --users '$(SOAK_USERS)' || status=$$?; \
	if [ $$status -ne 0 ]; then $(COMPOSE) ps --all; $(COMPOSE) logs --no-color --tail=40; fi; \
	exit $$status
