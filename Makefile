# One entry point for people and CI alike: every target builds or refreshes the virtual environment first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint types pytest migrate venv clean messages

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

# Re-extract the texts marked with tr()/ntr() into the template and merge it into each language's catalog;
# then translate what is new or fuzzy (tests/i18n fails until every text has a translation).
MESSAGE_KEYWORDS := --no-default-keywords -k tr -k ntr:1,2
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(MESSAGE_KEYWORDS) --no-location --no-wrap --sort-output \
		--project=ClassBot --version=0.1.0 --copyright-holder=ClassBot -o bot/locale/classbot.pot .
	$(BIN)/pybabel update -i bot/locale/classbot.pot -d bot/locale -D classbot --no-wrap --ignore-obsolete

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# Benchmarks (bench/RESULTS.md): not tests, run by hand; each takes a few minutes and needs PostgreSQL on
# 127.0.0.1:5432 with trust authentication (or BENCH_POSTGRES_URL). py-spy is only needed for --profile.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m bench.footprint
	$(BIN)/python -m bench.booking_burst
	$(BIN)/python -m bench.overhead_ratio
	$(BIN)/python -m bench.python_calls
	$(BIN)/python -m bench.scale_curve
