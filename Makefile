# Two commands on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
export DATABASE_URL ?= sqlite+aiosqlite:///./var/customer-profile.db

.PHONY: run test lint schema bench install migrate seed worker clean console console-deps-if-node

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
