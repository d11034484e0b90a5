# One entry point for people and CI alike: every target builds or refreshes the virtual environment first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint types pytest migrate venv clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot run

# The offline playground: ClassBot against its built-in Zoom and Telegram test servers, in a terminal chat.
demo: $(STAMP)
	$(BIN)/python -m bot demo

migrate: $(STAMP)
	$(BIN)/python -m bot migrate

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy --strict bot

pytest: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

test: lint types pytest

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# Benchmarks (bench/RESULTS.md): not tests, run by hand; each takes a few minutes and needs PostgreSQL on
# 127.0.0.1:5432 with trust authentication (or BENCH_POSTGRES_URL). py-spy is only needed for --profile.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m bench.footprint
	$(BIN)/python -m bench.booking_burst
	$(BIN)/python -m bench.overhead_ratio
	$(BIN)/python -m bench.scale_curve
