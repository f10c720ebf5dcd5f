# Paperround: `make demo` runs the whole job offline; `make test` installs and checks everything.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck format test-deps lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# uv installs the locked set in ~2 s (pip takes ~28 s); fall back to pip if uv cannot be had.
	$(BIN)/python -m pip install -q --disable-pip-version-check uv || true
	if test -x $(BIN)/uv; then \
	  $(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock && \
	  $(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e . ; \
	else \
	  $(BIN)/python -m pip install -q -r requirements.lock && \
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

lock:
	$(BIN)/uv pip compile -q pyproject.toml --extra dev -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
