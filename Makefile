# sitroom: the two commands of the README.
#   make demo   sets up a virtual environment, ingests the example reports into ./sitroom.db and shows the events
#   make test   sets up the environment and runs every check (ruff, mypy --strict, pytest incl. the corpus gate)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= sitroom.db

.PHONY: setup demo test lint typecheck unit gate bench gazetteer clean

$(BIN)/sitroom: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/sitroom

setup: $(BIN)/sitroom

demo: setup
	$(BIN)/sitroom --db $(DB) ingest examples/reports.jsonl examples/txt examples/html examples/feeds
	$(BIN)/sitroom --db $(DB) events --limit 30

lint: setup
	$(BIN)/ruff check src tests scripts

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -q

test: lint typecheck unit

gazetteer:
	$(BIN)/python -m pip install --quiet -e '.[gazetteer]'
	$(BIN)/python scripts/build_gazetteer.py

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache $(DB) $(DB)-wal $(DB)-shm
