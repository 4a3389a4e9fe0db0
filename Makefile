# Birlik: `make demo` runs the whole system; `make test` runs the test suite.
# Both install what they need first (venv, pip, npm, and Debian packages if missing).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
MO_FILES := $(patsubst %.po,%.mo,$(wildcard coordinator/translations/*/LC_MESSAGES/messages.po))
PYTEST_ARGS ?= -n 2

.PHONY: install deps system-deps demo test bench lint format translations clean

install: $(PIP_STAMP) $(NPM_STAMP) $(MO_FILES)

$(PIP_STAMP): requirements.txt requirements-dev.txt requirements-data.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-data.txt
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

%.mo: %.po $(PIP_STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

# PostgreSQL (for the test suite), Chromium (for browser tests) and nginx (the demo's proxy) come from Debian.
system-deps:
	@bash scripts/system-deps.sh

demo: install
	@bash scripts/demo-deps.sh
	$(PY) -m coordinator.demo.launch

test: install system-deps
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) -m bench

lint: $(PIP_STAMP)
	$(VENV)/bin/ruff check coordinator workers tests config migrations scripts bench
	$(VENV)/bin/ruff format --check coordinator workers tests config migrations scripts bench
	$(VENV)/bin/lint-imports

format: $(PIP_STAMP)
	$(VENV)/bin/ruff format coordinator workers tests config migrations scripts
	$(VENV)/bin/ruff check --fix coordinator workers tests config migrations scripts

translations: $(PIP_STAMP)
	$(PY) scripts/translations.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
