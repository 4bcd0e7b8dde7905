# Two commands on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
export DATABASE_URL ?= sqlite+aiosqlite:///./var/customer-profile.db
CONTRACT_CHECK ?= ../shared/contract/check_contract.py

.PHONY: run test test-fast lint schema bench bench-reads install migrate seed worker clean check-config graphiql-assets console console-deps-if-node

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

test: install console-deps-if-node
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

# Reads against their ceiling (issue 14): the service and bench/reference.py alternated
# under wrk on PostgreSQL (127.0.0.1:5432), 1,000 seeded customers; prints the ratio.
bench-reads: install
	$(PY) -m bench.reads

lock:
	$(UV) pip compile pyproject.toml --extra dev -o requirements.lock --quiet

# The support console (console/, TypeScript + Vite): `make console` regenerates the typed
# operations from schema.graphql, type-checks, builds into app/console_static/ (committed,
# so `make run` needs no Node) and records the sources' hash that the tests compare.
NPM_STAMP := console/node_modules/.installed

$(NPM_STAMP): console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

console: $(NPM_STAMP)
	cd console && npm run --silent build
	python3 console/source_hash.py --write

# Where Node is present, `make test` also runs the console's codegen check.
console-deps-if-node:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(NPM_STAMP); \
	else echo "npm not found: the console's codegen check will be skipped"; fi

clean:
	rm -rf $(VENV) var/*.db var/*.db-*
