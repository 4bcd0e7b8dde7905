# Two commands on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
export DATABASE_URL ?= sqlite+aiosqlite:///./var/customer-profile.db

.PHONY: run test lint schema bench install migrate seed worker clean

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip install --quiet --python $(PY) -c requirements.lock -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) -m app migrate

seed: migrate
	$(PY) -m app seed-demo

# Development mode (GraphiQL, keyless admin from loopback) only here: APP_ENV defaults to production.
run: export APP_ENV ?= development
run: seed
	$(PY) -m app serve --host 127.0.0.1 --port 8000

worker: install
	$(PY) -m app worker

test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check app tests bench
	$(VENV)/bin/mypy app

schema: install
	$(PY) -m app export-schema --output schema.graphql
	$(PY) ../shared/contract/check_contract.py schema.graphql || true

bench: install
	$(PY) -m bench.run

lock:
	$(UV) pip compile pyproject.toml --extra dev -o requirements.lock --quiet

clean:
	rm -rf $(VENV) var/*.db var/*.db-*
