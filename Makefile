# Two commands on a fresh machine with Python 3.11+ and make:
#   make run    serve the demo on http://127.0.0.1:8000/graphql (embedded PostgreSQL)
#   make test   run the whole test suite against a real PostgreSQL
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 10000
# make bench-webhooks WEBHOOK_BENCH_ARGS="--workers 2": bench/webhooks.py's options.
# make bench-import IMPORT_BENCH_ARGS="--rows 1000000 --xlsx": bench/import_bench.py's options.
# make bench-duplicates DUPLICATE_BENCH_ARGS="--contacts 1000000": bench/duplicates.py's.
# make bench-analytics ANALYTICS_BENCH_ARGS="--contacts 100000": bench/analytics.py's.
WEBHOOK_BENCH_ARGS ?=
DUPLICATE_BENCH_ARGS ?=
ANALYTICS_BENCH_ARGS ?=

# Installs come from the lock files, with their hashes: uv.lock holds one resolution of
# pyproject.toml for every platform, and requirements/ its exports, which pip installs.
#   runtime.txt           the server (the Docker image)
#   runtime-embedded.txt  the server and its embedded PostgreSQL (make install)
#   dev.txt               all that, and the tools of the tests (make install-dev)
# `make lock` regenerates them after a change to pyproject.toml (LOCK_ARGS=--upgrade: newest).
UV_EXPORT = $(BIN)/uv export --frozen --no-emit-project --quiet
LOCK_ARGS ?=

.PHONY: install install-dev run test bench bench-live bench-webhooks bench-merge bench-aggregates bench-import bench-duplicates bench-analytics schema lint lock clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml requirements/runtime-embedded.txt | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/runtime-embedded.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/dev.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/crm migrate
	$(BIN)/crm seed --demo
	@echo 'An admin token for GraphiQL (under Headers: {"Authorization": "Bearer <token>"}):'
	@$(BIN)/crm token --role admin --ttl 86400
	$(BIN)/crm serve --worker --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench.run --scale $(SCALE)

bench-live: install
	$(BIN)/python -m bench.live --scale $(SCALE)

bench-webhooks: install
	$(BIN)/python -m bench.webhooks $(WEBHOOK_BENCH_ARGS)

# DATABASE_URL=postgresql://... make bench-merge: a migrated database of your own.
bench-merge: install
	$(BIN)/python -m bench.merge

# DATABASE_URL=postgresql://... make bench-aggregates: a database holding crm seed --contacts N.
bench-aggregates: install
	$(BIN)/python -m bench.aggregates

bench-import: install-dev
	$(BIN)/python -m bench.import_bench $(IMPORT_BENCH_ARGS)

bench-analytics: install
	$(BIN)/python -m bench.analytics $(ANALYTICS_BENCH_ARGS)

bench-duplicates: install
	$(BIN)/python -m bench.duplicates $(DUPLICATE_BENCH_ARGS)

schema: install
	$(BIN)/python -m api.schema.export > api/schema/schema.graphql

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install -q "uv>=0.9"

lock: | $(BIN)/uv
	$(BIN)/uv lock $(LOCK_ARGS)
	$(UV_EXPORT) --output-file requirements/runtime.txt
	$(UV_EXPORT) --extra embedded --output-file requirements/runtime-embedded.txt
	$(UV_EXPORT) --extra dev --output-file requirements/dev.txt

clean:
	rm -rf $(VENV) build *.egg-info
