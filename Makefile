# Two commands matter: `make demo` and `make test` (README). Everything else is a step they share.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEMO_SEED ?= 1
DEMO_SCALE ?= small
HOST ?= 127.0.0.1:8000
# Tests that need a real broker use this Redis database; CI sets the same.
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: demo test setup check lint typecheck serve clean

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

shequ/static/vendor/.built: node_modules/.installed tools/copy_assets.mjs
	npm run --silent build
	touch $@

var/.translations: $(VENV)/.installed $(wildcard locale/*/LC_MESSAGES/*.po)
	mkdir -p var
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
	touch $@

setup: $(VENV)/.installed shequ/static/vendor/.built var/.translations

demo: setup
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_city_pack shenzhen
	$(PY) manage.py seed_demo --scale $(DEMO_SCALE) --seed $(DEMO_SEED)
	$(PY) manage.py demo_accounts
	@echo "Serving at http://$(HOST)/ with the in-process scheduler (Ctrl-C to stop; DEBUG=1 make demo for Django's debug pages)"
	$(PY) manage.py run_scheduler & trap 'kill $$! 2>/dev/null' EXIT INT TERM; DEBUG=$${DEBUG:-0} $(PY) manage.py runserver $(HOST)

# pytest-xdist: one worker per core (each with its own test database and Redis database); TEST_WORKERS=0 runs in
# one process. The run prints how long it took.
TEST_WORKERS ?= auto

test: setup
	@start=$$(date +%s); \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} $(VENV)/bin/pytest -q -p no:cacheprovider \
	  -n $(TEST_WORKERS) $(PYTEST_ARGS); rc=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s (exit $$rc)"; exit $$rc

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check shequ config tools tests conftest.py
	$(VENV)/bin/ruff format --check shequ config tools tests conftest.py

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy shequ

check: setup lint typecheck
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	# Every user-facing string has a Chinese translation: none empty, none fuzzy (issue 21).
	$(PY) tools/check_translations.py

clean:
	rm -rf $(VENV) node_modules shequ/static/vendor var
