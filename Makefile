# Wijkportaal: `make run` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
# pytest-xdist processes for `make test`: auto is one per core; 0 runs the suite in one process
TEST_WORKERS ?= auto
FLASK := $(VENV)/bin/flask --app app

.PHONY: run test bench bench-matrix bench-tools scale-out venv translations translations-compile migrate db seed lint format clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

translations-compile: venv
	$(PY) -m babel.messages.frontend compile -d translations --statistics 2>&1 | tail -n 4

translations: venv  ## extract, update and compile the catalogs
	$(FLASK) translate

db: venv translations-compile
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed-demo

run: seed  ## SQLite in instance/, demo data, http://127.0.0.1:$(PORT)
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: venv translations-compile  ## the whole suite, one test module per worker (TEST_DATABASE_URL adds PostgreSQL)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench-tools:
	command -v wrk >/dev/null && command -v nginx >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk nginx)
	test -x bench/node_modules/.bin/lighthouse || npm install --prefix bench --no-audit --no-fund --loglevel=error

bench: venv translations-compile bench-tools  ## one database and size (DATABASE_URL, BENCH_ARGS): cached with and without Redis, uncached, nginx, Lighthouse; writes bench/results.json
	$(PY) bench/run.py $(BENCH_ARGS)

bench-matrix: venv translations-compile bench-tools  ## SQLite and PostgreSQL at 2,000 and 20,000 programmes, one table each; writes bench/results.json
	$(PY) bench/matrix.py $(BENCH_ARGS)

scale-out: venv translations-compile  ## two gunicorn app servers behind nginx, one PostgreSQL, one Redis: three checks
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx)
	$(PY) bench/scale_out.py $(SCALE_OUT_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
