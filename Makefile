# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

TEST_ENV := LOG_LEVEL=$${LOG_LEVEL:-warn} METRICS_PORT=0
UNIT_SPECS := 'lib/**/*.test.ts' 'services/*/test/**/*.test.ts' 'k8s/**/*.test.ts' 'bench/**/*.test.ts'
FLOW_SPECS := 'test/*.test.ts'
# Tests titled "(needs NATS)" talk to a NATS server (transport tests, outages through a proxy in
# front of it): they are part of the run when NATS_URL is set, and left out of the embedded one.
# Tests titled "(needs processes)" kill a service's process (a crash): they are part of the run
# with MESH=processes (`make test-distributed`), and left out of the runs in one process.
NEEDS_LEFT_OUT := $(strip $(if $(NATS_URL),,NATS) $(if $(filter processes,$(MESH)),,processes))
NEEDS_FILTER := $(if $(NEEDS_LEFT_OUT),--grep '\(needs ($(subst $(eval) ,|,$(NEEDS_LEFT_OUT)))\)' --invert)
# Tests of tools that need a PostgreSQL server (pg_dump round trip): part of the run with DATABASE_URL.
POSTGRES_SPECS := $(if $(DATABASE_URL),'scripts/**/*.test.ts',)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.package-lock.json ## install dependencies (npm ci) when package-lock.json changed

dist/.built: node_modules/.package-lock.json $(shell find lib services gen scripts -name '*.ts' -not -name '*.test.ts' 2>/dev/null) tsconfig.json tsconfig.build.json
	npx tsc -p tsconfig.build.json
	node dist/scripts/prepare-embedded.js
	@touch $@

build: dist/.built ## compile TypeScript to dist/

run: build ## start all ten services in one process, embedded (PGlite under ./data, in-process events); new databases get the demo store
	SEED_DEMO_DATA=$${SEED_DEMO_DATA:-true} node --enable-source-maps dist/services/main.js

run-distributed: build ## the ten services as separate processes against DATABASE_URL and NATS_URL
	node --enable-source-maps dist/scripts/run-distributed.js

migrate: build ## create (if missing) and migrate every service database at DATABASE_URL
	node --enable-source-maps dist/scripts/migrate.js

seed: build ## load the demo store (idempotent) into DATABASE_URL's databases, or ./data (stop `make run` first)
	node --enable-source-maps dist/scripts/seed.js

test: install ## every test suite: embedded unless DATABASE_URL / NATS_URL are set
	$(TEST_ENV) npx mocha $(NEEDS_FILTER) $(UNIT_SPECS) $(FLOW_SPECS) $(POSTGRES_SPECS)

test-distributed: build ## the cross-service flows against the ten services started as separate processes
	$(TEST_ENV) MESH=processes npx mocha $(FLOW_SPECS)

lint: install ## eslint, prettier, type check, proto lint + stale gen/ + breaking changes
	npx eslint .
	npx prettier --check .
	npx tsc --noEmit -p tsconfig.json
	scripts/proto-check.sh

format: install ## apply prettier
	npx prettier --write .

db-docs: install ## regenerate docs/database/ from the migrations and docs/database/src/ (prose)
	LOG_LEVEL=warn npx tsx scripts/db-docs/main.ts

proto: install ## regenerate gen/ from proto/
	scripts/proto-generate.sh

bench: build ## load benchmarks (see bench/README.md and BENCHMARKS.md)
	node --enable-source-maps dist/bench/run.js

clean: ## remove build output (keeps ./data)
	rm -rf dist

.PHONY: help install build run run-distributed migrate seed test test-distributed lint format db-docs proto bench clean
