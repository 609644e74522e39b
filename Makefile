# ParkOps: `make run` serves the app with demo data; `make test` runs the whole suite.
# Both set everything up on a fresh Debian/Ubuntu machine with Python 3.11 and git.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Exact versions of every dependency (runtime and dev, for Linux/macOS/Windows, Python 3.11+),
# used as pip constraints here, in deploy/Dockerfile and in the systemd install steps.
LOCK   := requirements.lock

.PHONY: run test oracle fuzz setup setup-dev system system-test lint format messages bench lock clean

run: setup system
	$(BIN)/parkops serve --migrate --demo

test: system-test setup-dev
	$(BIN)/ruff check parkops tests bench migrations
	$(BIN)/mypy
	$(BIN)/pytest -n 2 -q
	@# The same migrations and database tests on the machine's PostgreSQL server (15) when one
	@# answers on 127.0.0.1:5432; the main run above used the embedded PostgreSQL 18.
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
	  echo "--- again on the PostgreSQL server at 127.0.0.1:5432"; \
	  PARKOPS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
	    $(BIN)/pytest -q tests/integration/db; \
	fi

# The billing oracle at length: many more random contracts than `make test` runs (README,
# "The billing oracle"); prints how many examples, months and lines it compared.
oracle: setup-dev system-test
	$(BIN)/pytest -q --hypothesis-profile=thorough \
	  tests/unit/oracle tests/unit/leases/test_schedule_oracle.py \
	  tests/integration/billing/test_oracle.py

# The API fuzzer over the whole OpenAPI document as a park admin, an enterprise user and a
# government officer, with 50 examples per operation and every phase (make test runs the same
# test bounded to a few examples). Prints the figures per role.
fuzz: setup-dev
	PARKOPS_FUZZ_EXAMPLES=50 PARKOPS_FUZZ_PHASES=examples,coverage,fuzzing,stateful \
	  $(BIN)/pytest -q -s tests/integration/test_api_fuzz.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install -q -c $(LOCK) -e .
	touch $@

$(STAMP)-dev: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install -q -c $(LOCK) -e ".[dev]"
	touch $@ $(STAMP)

# axe-core (accessibility rules) for the browser tests, from npm into an ignored folder: the tests
# inject it into the page from this file, never from a CDN.
AXE_VERSION := 4.14.1
AXE := var/npm/node_modules/axe-core/axe.min.js
$(AXE):
	npm install --silent --no-audit --no-fund --prefix var/npm axe-core@$(AXE_VERSION)

setup: $(STAMP)
setup-dev: $(STAMP)-dev $(AXE)

system:
	@sh deploy/debian-packages.sh run

system-test:
	@sh deploy/debian-packages.sh test

lint: setup-dev
	$(BIN)/ruff check parkops tests bench migrations
	$(BIN)/mypy

format: setup-dev
	$(BIN)/ruff format parkops tests bench migrations/env.py

# Extract translatable strings and merge them into the catalogues (then translate the .po files).
messages: setup-dev
	$(BIN)/pybabel extract -F parkops/locale/babel.cfg -o parkops/locale/messages.pot --no-location --sort-output --ignore-dirs=".venv var test-results" .
	$(BIN)/pybabel update -i parkops/locale/messages.pot -d parkops/locale --no-fuzzy-matching

# After changing dependencies in pyproject.toml: resolve them again into $(LOCK), keeping the
# current pins where they still fit (`make lock LOCK_FLAGS=--upgrade` takes the newest allowed);
# then `make setup-dev` installs them. uv does the resolving.
LOCK_FLAGS ?=
lock: | $(BIN)/python
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  $(LOCK_FLAGS) -o $(LOCK)

bench: setup-dev
	@sh deploy/debian-packages.sh bench
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
