# sitroom: the two commands of the README.
#   make demo   sets up a virtual environment, ingests the example reports into ./sitroom.db, shows the events, then serves the dashboard
#   make test   sets up the environment and runs every check (ruff, mypy --strict, pytest incl. the corpus gate)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= sitroom.db
WEB := src/sitroom/web
HOST ?= 127.0.0.1
PORT ?= 8000
SERVE ?= yes

.PHONY: setup demo serve screenshots test lint typecheck unit gate bench gazetteer clean

$(BIN)/sitroom: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask,postgres]'
	touch $(BIN)/sitroom

# The dashboard's front-end packages (leaflet, markercluster, world-atlas, topojson-client, swagger-ui)
# from npm, as pinned by the committed package-lock.json, into the git-ignored $(WEB)/node_modules.
$(WEB)/node_modules/.package-lock.json: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

setup: $(BIN)/sitroom $(WEB)/node_modules/.package-lock.json

demo: setup
	$(BIN)/sitroom --db $(DB) ingest examples/reports.jsonl examples/txt examples/html examples/feeds
	$(BIN)/sitroom --db $(DB) events --limit 30
	@if [ "$(SERVE)" != no ]; then \
	  echo "Serving the dashboard; Ctrl-C stops it ('make demo SERVE=no' skips this step)"; \
	  $(BIN)/sitroom --db $(DB) serve --host $(HOST) --port $(PORT); \
	fi

# The dashboard and HTTP API over $(DB); Ctrl-C stops. Writes need SITROOM_TOKEN in the environment.
serve: setup
	$(BIN)/sitroom --db $(DB) serve --host $(HOST) --port $(PORT)

# Browser tests only, refreshing docs/screenshot*.png.
screenshots: setup
	SITROOM_UPDATE_SCREENSHOTS=1 $(BIN)/pytest -q -m browser tests/browser

lint: setup
	$(BIN)/ruff check src tests scripts benchmarks

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

# Throughput, memory and dedupe scaling on generated news; figures in benchmarks/RESULTS.md.
# Never part of `make test`. BENCH_ARGS=--quick for a small run.
bench: $(BIN)/sitroom
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
