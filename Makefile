# Two commands: `make run` and `make test`. Everything else is what they call.
SHELL := /bin/bash
# The interpreter of .venv: the operating system's Python 3.11 first, when it can make a venv.
# Debian's is built with profile-guided optimisation and link-time optimisation; a Python built
# from source without them (pyenv's default) spends about half as much again of the CPU on the
# same pages (docs/BENCHMARKS.md, "Load"). Override with PYTHON=... (an existing .venv is kept).
PYTHON ?= $(shell for p in /usr/bin/python3.11 python3.11 python3; do \
	command -v $$p >/dev/null && $$p -c 'import ensurepip, venv' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python

# Tests run on the real PostgreSQL and Redis (CI insists on them); override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/reviews
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0

.PHONY: install lock run test lint chromium pdf-libs nginx bench api-fuzz prod-smoke backup restore clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# requirements.txt from requirements.in: every dependency pinned with its files' hashes. pip-tools
# runs from a venv of its own, so it is not one of the project's dependencies.
lock:
	test -x var/lock-venv/bin/pip-compile || ( $(PYTHON) -m venv var/lock-venv && var/lock-venv/bin/pip install --quiet pip-tools==7.6.2 )
	CUSTOM_COMPILE_COMMAND="make lock" var/lock-venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file requirements.txt requirements.in

chromium:
	./scripts/ensure-chromium.sh

# Debian's nginx, for `nginx -t` on deploy/nginx/reviews.conf (tests/deploy/test_nginx.py).
nginx:
	./scripts/ensure-nginx.sh

pdf-libs: $(VENV)/.installed
	./scripts/ensure-pdf-libs.sh $(PY)

run: install pdf-libs
	./scripts/run-demo.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

test: install chromium pdf-libs nginx lint
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)}" \
	$(PY) -m pytest

# The schemathesis run of `make test` fuzzes the API's whole schema with a few examples per
# operation; this is the longer run (examples per operation: API_FUZZ_EXAMPLES).
api-fuzz: install
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)}" \
	API_FUZZ_EXAMPLES="$${API_FUZZ_EXAMPLES:-500}" \
	$(PY) -m pytest -p no:cacheprovider tests/reviews/api/test_schemathesis.py

bench: install
	DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/reviews_bench}" $(PY) bench/transitions.py

# The production topology on this machine (DEBUG=false, PostgreSQL, Redis): a fresh database,
# collectstatic, 2 gunicorn instances, 2 Celery workers, 1 beat, a smoke test through both web
# instances, and everything stopped again (docs/DEPLOY.md).
prod-smoke: install
	PROD_SMOKE_POSTGRES="$${PROD_SMOKE_POSTGRES:-postgres://postgres@127.0.0.1:5432}" \
	PROD_SMOKE_REDIS="$${PROD_SMOKE_REDIS:-redis://127.0.0.1:6379/13}" \
	./scripts/prod-smoke.sh

# Backup and restore drill (docs/DEPLOY_DATABASE.md): pg_dump -Fc of DATABASE_URL to FILE, and FILE into
# the new or empty database DATABASE_URL names (both from the environment or the command line).
backup:
	./scripts/backup.sh

restore:
	./scripts/restore.sh

clean:
	rm -rf var .pytest_cache
