# One entry point for people and CI alike: every target builds or refreshes the virtual environment it needs first.
# `run` installs what runs (the pinned runtime dependencies); `test` adds the dev tools and the test servers;
# `demo` adds only the test servers. The test servers (fakes/, distribution classbot-fakes) are installed from
# this checkout by path: an extra cannot name a relative path, and naming them would make pip look on PyPI.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# setuptools warns on every editable install that a folder named like the package may shadow it: that is the point.
PIP := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -c constraints.txt

.PHONY: run demo test lint types pytest migrate venv clean messages

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.runtime: $(VENV)/.created pyproject.toml constraints.txt
	$(PIP) -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime fakes/pyproject.toml
	$(PIP) -e '.[dev]' -e './fakes[check]'
	touch $@

$(VENV)/.demo: $(VENV)/.runtime fakes/pyproject.toml
	$(PIP) -e ./fakes
	touch $@

venv: $(VENV)/.dev

run: $(VENV)/.runtime
	$(BIN)/python -m bot run

# The offline playground: ClassBot against its Zoom and Telegram test servers, in a terminal chat.
demo: $(VENV)/.demo
	$(BIN)/python -m bot demo

migrate: $(VENV)/.runtime
	$(BIN)/python -m bot migrate

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

types: $(VENV)/.dev
	$(BIN)/mypy --strict bot fakes/classbot_fakes

# Each test file runs whole on one of PYTEST_WORKERS processes (its module fixtures are set up once); most of the
# suite waits on real processes and real time, so two workers finish in a little over half the time of one.
PYTEST_WORKERS ?= 2
pytest: $(VENV)/.dev
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test: lint types pytest

# Re-extract the texts marked with tr()/ntr() into the template and merge it into each language's catalog;
# then translate what is new or fuzzy (tests/i18n fails until every text has a translation).
MESSAGE_KEYWORDS := --no-default-keywords -k tr -k ntr:1,2
messages: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg $(MESSAGE_KEYWORDS) --no-location --no-wrap --sort-output \
		--project=ClassBot --version=0.1.0 --copyright-holder=ClassBot -o bot/locale/classbot.pot .
	$(BIN)/pybabel update -i bot/locale/classbot.pot -d bot/locale -D classbot --no-wrap --ignore-obsolete

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# Benchmarks (bench/RESULTS.md; each run's raw output kept in bench/runs/): not tests, run by hand; each takes a
# few minutes and needs PostgreSQL on 127.0.0.1:5432 with trust authentication (or BENCH_POSTGRES_URL).
# py-spy is only needed for --profile.
.PHONY: bench
bench: $(VENV)/.dev
	$(BIN)/python -m bench.all
