# Needs Passport. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
HOST ?= localhost
PORT ?= 5000
# Test processes side by side (pytest-xdist): one a core. Each makes its own database,
# SMTP server and, for the browser tests, its own app server.
WORKERS ?= auto

.PHONY: help run test test-unit test-sqlite test-postgres test-e2e lint format translations \
	catalogue install install-test chromium wrk postgres redis db demo bench clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed ## Create the virtual environment and install the app

install-test: $(VENV)/.installed-test ## Install the app and what the tests need

translations: $(VENV)/.installed ## Compile the message catalogues
	$(BIN)/pybabel compile -d passport/i18n -D messages --statistics

catalogue: $(VENV)/.installed ## Re-extract messages and update every language's catalogue
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location \
		--sort-output --omit-header -o passport/i18n/messages.pot .
	$(BIN)/pybabel update -i passport/i18n/messages.pot -d passport/i18n -D messages \
		--ignore-obsolete

db: install ## Migrate the database to the newest schema
	$(BIN)/passport db upgrade

demo: db ## Load the demo directory and its services' own eligibility questions
	$(BIN)/passport demo load
	$(BIN)/passport demo questions

run: install translations demo ## Install, migrate, load the demo directory, serve on http://localhost:5000
	@echo "Open http://$(HOST):$(PORT) (e-mails are printed below)."
	PASSPORT_BASE_URL=$${PASSPORT_BASE_URL:-http://$(HOST):$(PORT)} \
		$(BIN)/passport run --host $(HOST) --port $(PORT)

chromium: ## Install Debian's Chromium for the browser tests, if missing
	@command -v chromium >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

wrk: ## Install Debian's wrk for the throughput benchmark, if missing
	@command -v wrk >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }

postgres: ## Start the local PostgreSQL if it is down
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
		for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }

redis: ## Start the local Redis (rate limits in the production browser test) if it is down
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		command -v redis-server >/dev/null || { \
			$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq redis-server >/dev/null; }; \
		$$SUDO mkdir -p /var/lib/redis /var/log/redis; \
		$$SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
			--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log; \
		for i in $$(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; }

lint: install-test ## ruff (lint and format check), mypy and import-linter contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install-test ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test-unit: install-test ## Unit tests only: pure code, no database, no server (seconds)
	$(BIN)/pytest tests/unit -q

test-sqlite: install-test translations ## Unit and functional tests on SQLite
	$(BIN)/pytest tests --db sqlite -q -n $(WORKERS)

test-postgres: install-test translations postgres ## Unit and functional tests on PostgreSQL
	$(BIN)/pytest tests --db postgresql -q -n $(WORKERS)

test-e2e: install-test translations chromium postgres redis ## Browser tests (Chromium) on SQLite and PostgreSQL
	$(BIN)/pytest e2e --db sqlite -q -n $(WORKERS)
	$(BIN)/pytest e2e --db postgresql -q -n $(WORKERS)

test: lint test-sqlite test-postgres test-e2e ## Everything CI runs: lint, then all tests on both databases

bench: install-test translations wrk chromium postgres ## Benchmarks: page weight, throughput, Lighthouse, directory search (prints figures)
	$(BIN)/python bench/page_weight.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/lighthouse.py
	$(BIN)/python bench/directory_search.py

clean: ## Remove the virtual environment, caches and built static files (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache build bench/node/node_modules
