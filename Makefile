# Anxun (安巡) — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
export FLASK_APP := wsgi.py

.PHONY: run test lint test-sqlite test-postgresql test-api-sqlite test-api-postgresql \
	test-browser-sqlite test-browser-postgresql soak system-deps postgres-up migrate seed bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

migrate: $(VENV)/.installed
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo

## make run: environment, migrations, demo data (once), server on http://127.0.0.1:$(PORT)
run: seed
	@echo "Anxun on http://127.0.0.1:$(PORT)  (Ctrl-C to stop)"
	$(BIN)/gunicorn --workers $(WORKERS) --threads 4 --bind 127.0.0.1:$(PORT) \
	  --access-logfile - wsgi:app

## System packages the tests need: Debian's Chromium (never a downloaded browser), CJK fonts
## for readable screenshots, poppler for rendering PDFs, nginx to check deploy/nginx/anxun.conf,
## the PostgreSQL client (pg_dump, pg_restore) for `flask backup`/`flask restore`.
system-deps:
	@missing=""; \
	 [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	 [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	 command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	 command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	 [ -d /usr/share/fonts/opentype/noto ] || missing="$$missing fonts-noto-cjk"; \
	 if [ -n "$$missing" ]; then \
	   echo "installing:$$missing"; \
	   SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	   $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	 fi

## PostgreSQL for the second pass. On a fresh Debian machine without it, Debian's `postgresql` is
## installed and the local cluster opened to the test suite (trust for 127.0.0.1 only, as the
## suite connects as `postgres` without a password); when installed but down (a fresh boot), it
## is started.
postgres-up:
	@if ! command -v pg_ctlcluster >/dev/null; then \
	   echo "installing: postgresql"; \
	   SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	   $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; \
	   hba=$$(ls /etc/postgresql/*/main/pg_hba.conf | tail -1); \
	   grep -q '^host all all 127.0.0.1/32 trust' $$hba || { \
	     echo 'host all all 127.0.0.1/32 trust' | $$SUDO tee $$hba.anxun >/dev/null; \
	     $$SUDO sh -c "grep -v '^host.*127.0.0.1/32' $$hba >> $$hba.anxun && mv $$hba.anxun $$hba"; \
	     $$SUDO chown postgres:postgres $$hba; }; \
	 fi
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  v=$$(ls /etc/postgresql | sort -n | tail -1); \
	  $$SUDO pg_ctlcluster --skip-systemctl-redirect $$v main restart || $$SUDO pg_ctlcluster --skip-systemctl-redirect $$v main start || true; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	@pg_isready -h 127.0.0.1 -p 5432

## make lint: ruff (ruff.toml: errors and likely bugs, no formatting), then which package may
## import which (.importlinter)
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache --no-logo

## make test: the linters, then everything on SQLite and again on PostgreSQL (127.0.0.1:5432)
test: $(VENV)/.installed-dev system-deps postgres-up
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgresql

# API and unit tests on two processes; the browser tests after them, one at a time (each drives
# a Chromium against a gunicorn of its own, which is what the two cores are busy with: the two
# engines' browser suites side by side took as long as one after the other, 537 s against 508).
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider
# worksteal: a worker that runs out takes tests queued for the other, so the long ones at the
# end (fault injection, schema fuzz) do not leave one core idle (SQLite's pass 238 s -> 215 s).
XDIST ?= -n 2 --dist worksteal

test-api-sqlite test-api-postgresql: test-api-%: $(VENV)/.installed-dev
	ANXUN_TEST_DATABASE=$* $(PYTEST) $(XDIST) --ignore=tests/browser $(PYTEST_ARGS)

test-browser-sqlite test-browser-postgresql: test-browser-%: $(VENV)/.installed-dev
	ANXUN_TEST_DATABASE=$* $(PYTEST) tests/browser $(PYTEST_ARGS)

## make test-sqlite / test-postgresql: one engine only, API then browser
test-sqlite test-postgresql: test-%: $(VENV)/.installed-dev
	$(MAKE) test-api-$*
	$(MAKE) test-browser-$*

## make soak: the reliability suites (docs/RELIABILITY.md) with larger budgets, on SQLite and
## PostgreSQL: ~150 generated requests per operation and role, a 400-file photo fuzz, 60-item
## kill -9 / cut-connection / silent-database runs. Their figures close each pass.
SOAK_TESTS := tests/test_schema_fuzz.py tests/test_access_matrix.py tests/test_bad_files.py \
	tests/test_fault_injection.py
soak: $(VENV)/.installed-dev system-deps postgres-up
	ANXUN_TEST_DATABASE=sqlite $(PYTEST) $(XDIST) --soak $(SOAK_TESTS) $(PYTEST_ARGS)
	ANXUN_TEST_DATABASE=postgresql $(PYTEST) $(XDIST) --soak $(SOAK_TESTS) $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance
