# Paperround: `make demo` runs the whole job offline; `make test` installs and checks everything.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck format test-deps lock clean

# requirements.lock: what Paperround runs on; requirements-dev.lock: that plus the tests'
# and tools (and the postgres and llm extras they exercise). Both pinned with hashes.
LOCKS := requirements.lock requirements-dev.lock

$(STAMP): pyproject.toml $(LOCKS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# uv installs the locked set in ~2 s (pip takes ~28 s); fall back to pip if uv cannot be had.
	$(BIN)/python -m pip install -q --disable-pip-version-check uv || true
	if test -x $(BIN)/uv; then \
	  $(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock -r requirements-dev.lock && \
	  $(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e . ; \
	else \
	  $(BIN)/python -m pip install -q -r requirements.lock -r requirements-dev.lock && \
	  $(BIN)/python -m pip install -q --no-deps -e . ; \
	fi
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/paperround demo

# PostgreSQL and Chromium from Debian's packages for the integration tests; the tests start
# their own throwaway PostgreSQL cluster on 127.0.0.1 and skip (saying why) only if none can.
test-deps:
	@bash scripts/install-test-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy over models/ and paperround/ ([tool.mypy] in pyproject.toml).
typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(STAMP) test-deps lint typecheck
	$(BIN)/python -m pytest

# Regenerate both locks (the current pins are kept unless pyproject.toml needs others; add
# --upgrade to move them). The dev lock is constrained to the runtime one: same versions.
lock:
	$(BIN)/uv pip compile -q pyproject.toml --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --generate-hashes \
	  -c requirements.lock -o requirements-dev.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
