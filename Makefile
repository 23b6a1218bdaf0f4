# Renshi's two commands: `make run` (set up, migrate, demo data, serve) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO ?= 1
# The demo company lives in 2025: with DEMO=1 the server runs on the demo's clock, at the moment
# its story is told (renshi.demo.DEMO_NOW: 3 days before October's wages are paid), so its
# warnings and notices are not all overdue at once. DEMO=0 serves at the real time.
DEMO_NOW ?= 2025-11-07T09:00:00+08:00
export RENSHI_DATA_DIR ?= $(CURDIR)/var

PO_FILES := $(wildcard src/renshi/locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: setup run test lint format bench messages clean

## setup: Debian packages, the virtualenv with Renshi, front-end assets, compiled translations
setup: debian $(VENV)/.installed node_modules/.installed $(MO_FILES)

debian:
	@scripts/setup-debian.sh

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

%.mo: %.po
	msgfmt --check -o $@ $<

## run: set up, migrate the SQLite database, load demo data (DEMO=0 skips), serve on :8000
run: setup
	@mkdir -p $(RENSHI_DATA_DIR)
	$(BIN)/renshi migrate --no-input
	@if [ "$(DEMO)" = "1" ]; then $(BIN)/renshi demo; fi
	@echo "Renshi: http://$(HOST):$(PORT)/"
	@if [ "$(DEMO)" = "1" ]; then echo "Demo clock: $(DEMO_NOW) (RENSHI_NOW)"; fi
	$(if $(filter 1,$(DEMO)),RENSHI_NOW=$(DEMO_NOW) )$(BIN)/renshi runserver $(HOST):$(PORT)

## test: set up, then lint, types and the whole suite on SQLite and on PostgreSQL
test: setup
	@scripts/test.sh

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/renshi/core

format: setup
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## messages: refresh the translation catalogue from the sources
messages: setup
	cd src/renshi && ../../$(BIN)/renshi makemessages --locale zh_Hans --locale en --no-obsolete --add-location file

## bench: print the calculators' throughput
bench: setup
	$(BIN)/python -m bench.calc
	$(BIN)/python -m bench.payroll --employees 10000 --db sqlite

clean:
	rm -rf $(VENV) node_modules $(RENSHI_DATA_DIR) .pytest_cache .mypy_cache .ruff_cache
