# The two commands in the README are the contract: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Where the embedded default keeps its database, broker, cache and files (settings read it).
VAR_DIR ?= $(CURDIR)/var
export VAR_DIR

.PHONY: run test install migrate messages compilemessages seed lint format worker beat clean-venv

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

compilemessages: $(STAMP)
	$(BIN)/pybabel compile -d locale -D django

migrate: $(STAMP)
	mkdir -p $(VAR_DIR)
	$(BIN)/python manage.py migrate --no-input

seed: migrate
	$(BIN)/python manage.py seed_demo

# The web server and a Celery worker with embedded beat, together (Procfile.dev); Ctrl-C
# stops both. `--env /dev/null`: a .env file is docker compose's production settings.
run: compilemessages seed
	mkdir -p $(VAR_DIR)/broker/processed
	find $(VAR_DIR)/broker/processed -type f -delete
	@echo "Serving 清朗温州 at http://$(HOST):$(PORT)/  (staff sign-in: /admin/, accounts in var/demo-accounts.txt)"
	@echo "Worker and beat beside it: broker var/broker/, cache var/cache/, the scheduler's jobs on /readyz"
	HOST=$(HOST) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile.dev --env /dev/null --port $(PORT)

test: compilemessages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Developers only: needs GNU gettext (xgettext) to extract strings.
messages: $(STAMP)
	$(BIN)/python manage.py makemessages --locale en --extension html,txt,py,svg --ignore '.venv/*' --ignore 'var/*' --ignore 'node_modules/*' --ignore 'tests/*' --no-obsolete
	# msgmerge guesses "fuzzy" translations from similar strings; they are usually wrong.
	msgattrib --clear-fuzzy --empty -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po

worker: $(STAMP)
	$(BIN)/celery -A wenzhou_portal worker --loglevel INFO --concurrency 2

beat: $(STAMP)
	mkdir -p var
	$(BIN)/celery -A wenzhou_portal beat --loglevel INFO --schedule var/celerybeat-schedule

clean-venv:
	rm -rf $(VENV)

# Backups (README, "Backups and restore"), read from the same environment as the portal:
# the database (pg_dump, or SQLite's backup API) and both file stores into
# <BACKUP_DIR, default var/backups>/<UTC stamp>/ with a manifest. A restore goes into a fresh
# database and empty stores only, and checks every file and table against the manifest.
.PHONY: backup restore
backup: $(STAMP)
	$(BIN)/python scripts/backup.py

restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<stamp>" >&2; exit 2; }
	$(BIN)/python scripts/restore.py "$(BACKUP)"

# `make bench` (bench/README.md): a throwaway PostgreSQL database (wz_bench) and Redis db 14,
# city-scale data, gunicorn and a worker, wrk; writes bench/results/latest.md. Not a test.
# BENCH_SCALE=0.01 for a quick run; DATABASE_URL and REDIS_URL choose other servers.
.PHONY: bench
bench: compilemessages
	BENCH_SCALE=$(or $(BENCH_SCALE),1) $(BIN)/python -m bench.run
