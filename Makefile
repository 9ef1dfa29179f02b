# The verbs people type. `make help` lists them.
SHELL := bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PACKAGES := shared services/web services/tweeter services/mailer services/x-sandbox
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))
SERVICES := web tweeter mailer x-sandbox
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: help venv dev test test-unit test-system test-faults screenshots bench bench-http bench-rows postgres lint fmt lock redis wrk chromium clean

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

venv: $(STAMP) ## Create .venv from the hash-pinned requirements (done by every target that needs it)

# requirements/dev.txt pins the build backend too: our packages are built with
# it, so nothing unpinned is downloaded.
$(STAMP): requirements/dev.txt $(PYPROJECTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-build-isolation --no-deps $(addprefix -e ,$(PACKAGES))
	touch $@

$(BENCH_STAMP): requirements/bench.txt $(STAMP)
	$(PY) -m pip install --quiet --require-hashes -r requirements/bench.txt
	touch $@

redis: ## Make sure redis-server is installed (installs Debian's package as root)
	@scripts/ensure-redis.sh

wrk: ## Make sure wrk, the HTTP load generator of make bench, is installed (Debian's package as root or with sudo)
	@scripts/ensure-wrk.sh

dev: venv redis ## Run everything in the foreground without Docker (SQLite); Ctrl-C stops it
	VENV=$(VENV) scripts/dev.sh

chromium: ## Make sure Chromium is installed for the browser tests (Debian's package as root or with sudo)
	@scripts/ensure-chromium.sh

test: venv redis chromium ## Every test: unit, then system and browser tests against real processes
	$(VENV)/bin/pytest

test-unit: venv ## Unit tests only (no servers)
	$(VENV)/bin/pytest -m "not system"

test-system: venv redis chromium ## System and browser tests (real redis-server, gunicorn, dramatiq, sandbox, Chromium)
	$(VENV)/bin/pytest -m system

test-faults: venv redis ## Fault suite: SIGKILLed workers, Redis restart, locked DB, SMTP outage, generated API requests
	TWEETNOW_TEST_FAULTS=1 $(VENV)/bin/pytest tests/faults -p no:cacheprovider

screenshots: venv redis chromium ## Run the browser tests and keep their screenshots in docs/screenshots/ (the README shows them)
	TWEETNOW_TEST_SCREENSHOTS=$(CURDIR)/docs/screenshots $(VENV)/bin/pytest tests/browser

bench: $(BENCH_STAMP) redis wrk postgres ## Benchmarks (numbers and targets in the README; installs wrk, PostgreSQL and the peers they compare with; builds the images to report their layers when Docker is reachable); writes bench/results/ and docs/bench/numbers.svg
	$(PY) -m bench.run
	$(PY) -m bench.pages
	$(PY) -m bench.admin

bench-http: $(BENCH_STAMP) redis wrk postgres ## Only the HTTP rows of make bench, SQLite then PostgreSQL (BENCH_HTTP_ROWS, BENCH_HTTP_SECONDS, BENCH_HTTP_ROUNDS, BENCH_POSTGRES=0)
	$(PY) -m bench.http

postgres: ## Make sure PostgreSQL's server binaries are installed (Debian's package as root or with sudo), for make bench and bench-rows
	@scripts/ensure-postgres.sh >/dev/null

bench-rows: $(BENCH_STAMP) redis wrk postgres ## A million tweets in a throwaway PostgreSQL (needs initdb/pg_ctl, wrk, redis-server; ~5 min): EXPLAIN and HTTP p50/p99 before and after migration 7; writes bench/results/rows.json and docs/bench/explain.md
	$(PY) -m bench.rows

lint: venv ## ruff lint and format check, then the type checker over every package and the benchmarks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fmt: venv ## Format and fix what ruff can
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The pins are for the images' CPython 3.11 on x86_64/glibc. An existing pin is
# kept until a bound in a pyproject excludes it (or `make lock UPGRADE=--upgrade`).
COMPILE = $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 \
  --python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" $(UPGRADE)
# The build backend our packages declare in [build-system], one requirement a line.
BUILD_REQUIRES = $(PY) -c 'import sys, tomllib; print(*sorted({r for f in sys.argv[1:] \
  for r in tomllib.load(open(f, "rb"))["build-system"]["requires"]}), sep="\n")' $(PYPROJECTS)

lock: venv ## Recompile the hash-pinned requirements/*.txt from the pyproject files
	for s in $(SERVICES); do \
	  $(COMPILE) services/$$s/pyproject.toml --no-emit-package tweetnow-shared -o requirements/$$s.txt; \
	done
	$(BUILD_REQUIRES) | $(COMPILE) - -o requirements/build-backend.txt
	$(BUILD_REQUIRES) | $(COMPILE) - $(PYPROJECTS) --group pyproject.toml:dev \
	  --no-emit-package tweetnow-shared -o requirements/dev.txt
	$(COMPILE) --group pyproject.toml:bench -c requirements/dev.txt -o requirements/bench.txt

clean: ## Remove the virtualenv and local state
	rm -rf $(VENV) var .pytest_cache .ruff_cache

-include mk/*.mk
