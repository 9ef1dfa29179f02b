# The verbs people type. `make help` lists them.
SHELL := bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PACKAGES := shared services/web services/tweeter services/mailer services/x-sandbox
SERVICES := web tweeter mailer x-sandbox
STAMP := $(VENV)/.installed

.PHONY: help venv dev test test-unit test-system test-faults screenshots bench lint fmt lock redis chromium clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

venv: $(STAMP) ## Create .venv from the hash-pinned requirements (done by every target that needs it)

$(STAMP): requirements/dev.txt $(addsuffix /pyproject.toml,$(PACKAGES))
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps $(addprefix -e ,$(PACKAGES))
	touch $@

redis: ## Make sure redis-server is installed (installs Debian's package as root)
	@scripts/ensure-redis.sh

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

bench: venv redis ## Benchmarks (numbers in the README); writes bench/results/ and docs/bench/numbers.svg
	$(PY) -m bench.run
	$(PY) -m bench.pages
	$(PY) -m bench.admin

lint: venv ## ruff lint and format check, then the type checker over every package
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fmt: venv ## Format and fix what ruff can
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock: venv ## Recompile requirements/*.txt (hash-pinned, no index URLs) from requirements/*.in
	cd requirements && for s in $(SERVICES) dev; do \
	  ../$(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	    --python-platform x86_64-unknown-linux-gnu $$s.in -o $$s.txt; done

clean: ## Remove the virtualenv and local state
	rm -rf $(VENV) var .pytest_cache .ruff_cache

-include mk/*.mk
