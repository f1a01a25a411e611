# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run serve worker test lint format venv migrate seeds bench clean backup restore messages

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(PY) manage.py migrate --noinput

seeds: migrate
	$(PY) manage.py load_seeds

# Development: DEBUG=1 for run and its steps (migrate, seeds), so no SECRET_KEY is needed. The settings
# refuse to start with DEBUG off and no SECRET_KEY; `make serve` is the production start.
# A worker runs the background tasks (imports, digests, backups, the statistics refresh) beside the
# development server; stopping `make run` (Ctrl+C) stops both.
run: export DEBUG ?= 1
run: seeds
	$(PY) manage.py worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

# Production start (README "Deploying"): with DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL set,
# migrate, collect the static files (hashed, compressed: every page and error page links them) and
# serve with gunicorn on PORT behind a TLS proxy (deploy/gunicorn.conf.py). Without SECRET_KEY the
# first step stops, saying why. `check --deploy` prints what would weaken the hardening.
# The background tasks need a worker too: `make worker` (deploy/tracker-worker.service runs it).
serve: venv
	$(PY) manage.py check --deploy
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	exec $(BIN)/gunicorn --config deploy/gunicorn.conf.py tracker.wsgi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates

# Production worker for the background tasks and the schedule (README "Background work"); any number,
# on any host sharing the database and IMPORT_UPLOAD_DIR.
worker: venv
	exec $(PY) manage.py worker

# Tests run on all cores (pytest-xdist); PYTEST_ARGS="-n 0 -x" runs them one by one.
PYTEST_ARGS ?= -n auto

test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# The Urdu catalogue (docs/urdu-glossary.md): collect every marked message into locale/ur/, then
# compile it. Needs GNU gettext (Debian: gettext); the .mo files are committed, so serving does not.
MESSAGES_IGNORE := --ignore=.venv --ignore=staticfiles --ignore=media --ignore=bench --ignore=tests --ignore=node_modules
messages: venv
	DEBUG=1 $(PY) manage.py makemessages --locale ur --extension html,txt,py --no-obsolete $(MESSAGES_IGNORE)
	DEBUG=1 $(PY) manage.py compilemessages --locale ur --ignore=.venv

# Page timings at scale: see bench/bench_pages.py for setting up the database first.
bench: venv
	SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" $(PY) bench/bench_pages.py

# Backups (issue 6): pg_dump -Fc / the SQLite backup API into backups/ with a timestamped name;
# `make restore FILE=backups/tracker-....dump` replaces ALL data with that file (asks first).
backup: venv
	$(PY) manage.py backup

restore: venv
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/tracker-YYYYMMDD-HHMMSS.dump" >&2; exit 2; }
	$(PY) manage.py restore "$(FILE)"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
