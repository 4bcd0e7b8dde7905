# Two commands on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
export DATABASE_URL ?= sqlite+aiosqlite:///./var/customer-profile.db
CONTRACT_CHECK ?= ../shared/contract/check_contract.py

.PHONY: run test test-fast lint schema bench install migrate seed worker clean check-config graphiql-assets

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

run: seed
	$(PY) -m app serve --host 127.0.0.1 --port 8000

worker: install
	$(PY) -m app worker

test: install
	$(PY) -m pytest -q

# The edit-test loop: unit, API, migration and schema tests on SQLite only; no server
# processes, no browser.
test-fast: install
	TEST_DATABASE_URL= TEST_BACKENDS=sqlite $(PY) -m pytest -q -p no:cacheprovider tests/unit tests/api tests/test_*.py

check-config: install
	$(PY) -m app check-config

# Rebuilds app/static/graphiql/ from the pinned npm packages (needs Node 20 and npm;
# `npm ci` checks each package against the lock file's integrity hashes).
graphiql-assets: install
	cd frontend/graphiql && npm ci --ignore-scripts --no-audit --no-fund
	$(PY) scripts/build_graphiql_assets.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check app tests bench scripts
	$(VENV)/bin/mypy app

schema: install
	$(PY) -m app export-schema --output schema.graphql
	@# The API contract lives beside the repository in the team's shared folder; a plain
	@# clone has none, and then only the export runs.
	@if [ -f $(CONTRACT_CHECK) ]; then $(PY) $(CONTRACT_CHECK) schema.graphql || true; \
	else echo "no contract at $(CONTRACT_CHECK): schema exported, contract check skipped"; fi

bench: install
	$(PY) -m bench.run

lock:
	$(UV) pip compile pyproject.toml --extra dev -o requirements.lock --quiet

clean:
	rm -rf $(VENV) var/*.db var/*.db-*
