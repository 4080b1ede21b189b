# Two commands on a fresh machine with Python 3.11+ and make:
#   make run    serve the demo on http://127.0.0.1:8000/graphql (embedded PostgreSQL)
#   make test   run the whole test suite against a real PostgreSQL
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 10000

.PHONY: install install-dev run test bench schema lint clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/crm migrate
	$(BIN)/crm seed --demo
	@echo "An admin token for GraphiQL (header Authorization: Bearer <token>):"
	@$(BIN)/crm token --role admin --ttl 86400
	$(BIN)/crm serve --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench.run --scale $(SCALE)

schema: install
	$(BIN)/python -m api.schema.export > api/schema/schema.graphql

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info
