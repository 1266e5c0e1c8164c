# poolfix — the two commands a newcomer needs are `make serve` and `make test`.
SHELL := /bin/bash
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CURDIR)/node_modules/.bin:$(CARGO_BIN):$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
ADDRESS ?= 127.0.0.1
PORT ?= 8080

.PHONY: setup setup-test build build-sub serve watch test lint unit browser verify-drivers conventions verify size size-floor bench bench-browser lighthouse clean

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

## make build: the release site in dist/ (static pages, the checker's wasm, 404.html).
build: setup
	trunk build --release --dist dist

## The same site built to live under /poolfix/, for the sub-path tests.
build-sub: setup
	trunk build --release --dist dist-sub --public-url /poolfix/

## make serve: build and serve the site at http://127.0.0.1:8080 the way static hosts do
## (folder index pages, 301 to the slash, 404.html for unknown paths, gzip).
serve: build
	python3 scripts/serve.py dist $(PORT)

## make watch: trunk's development server, rebuilding on every change (it answers unknown
## paths with the home page, unlike a static host).
watch: setup
	trunk serve --release --address $(ADDRESS) --port $(PORT) --no-autoreload

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

unit:
	cargo test --workspace --locked --exclude poolfix

browser:
	cargo build --locked -p poolfix-cli
	POOLFIX_DIST=$(CURDIR)/dist POOLFIX_DIST_SUB=$(CURDIR)/dist-sub POOLFIX_CLI=$(CURDIR)/target/debug/poolfix \
	  cargo test --locked -p poolfix -- --test-threads=2

## Driver-level verification: poolfix's advice against real PostgreSQL, PgBouncer and drivers
## (the Python drivers, then node-postgres and postgres.js from verify/node).
## Every error the real software prints in these runs is recorded in target/verify-errors.log
## (tests/logs/recorded.log is a copy: `poolfix explain` must know each line).
verify-drivers:
	cargo build --locked -p poolfix-cli
	rm -f target/verify-errors.log
	POOLFIX_CLI=$(CURDIR)/target/debug/poolfix .venv-verify/bin/python verify/drivers.py
	POOLFIX_CLI=$(CURDIR)/target/debug/poolfix .venv-verify/bin/python verify/node_postgres.py
	POOLFIX_CLI=$(CURDIR)/target/debug/poolfix .venv-verify/bin/python verify/postgres_js.py

## CI and editor conventions on the real tools: SARIF against its schema, the example workflows
## through actionlint, the pre-commit hook with pre-commit (verify/conventions.py).
conventions: .venv-tools/requirements.txt
	cargo build --locked -p poolfix-cli
	POOLFIX_CLI=$(CURDIR)/target/debug/poolfix .venv-tools/bin/python verify/conventions.py

## make verify: real MLflow and Prefect servers (the newest, 2.x, and the 2.7.6/2.12.1/3.1.15/3.2.6/3.2.7/3.4.20 releases people
## run) and a Celery beat started with poolfix's output, Django 5.2 and 6.1 (verify/django_stack.py), Airflow 3.3
## (verify/airflow_stack.py) and 2.10 (verify/airflow2_stack.py) and Prisma 7 (verify/prisma7.py), through real
## poolers (a few minutes more the first time, for the installs, then about 4 minutes).
PREFECT_RELEASES := prefect27 prefect212 prefect31 prefect326 prefect327 prefect34
verify: setup-test .venv-mlflow/requirements.txt .venv-prefect/requirements.txt .venv-prefect2/requirements.txt .venv-celery/requirements.txt \
  $(PREFECT_RELEASES:%=.venv-%/requirements.txt) .venv-prefect34/asyncpg-0.32/done .venv-django/requirements.txt \
  .venv-airflow/requirements.txt .venv-airflow2/requirements.txt verify/prisma/node_modules/.package-lock.json
	cargo build --locked -p poolfix-cli
	POOLFIX_CLI=$(CURDIR)/target/debug/poolfix MLFLOW_BIN=$(CURDIR)/.venv-mlflow/bin/mlflow \
	  PREFECT_BIN=$(CURDIR)/.venv-prefect/bin/prefect PREFECT2_BIN=$(CURDIR)/.venv-prefect2/bin/prefect \
	  CELERY_BIN=$(CURDIR)/.venv-celery/bin/celery \
	  .venv-mlflow/bin/python verify/services.py
	POOLFIX_CLI=$(CURDIR)/target/debug/poolfix .venv-django/bin/python verify/django_stack.py
	@if [ -n "$(PYTHON312)" ]; then $(MAKE) --no-print-directory .venv-django6/requirements.txt && \
	  POOLFIX_CLI=$(CURDIR)/target/debug/poolfix .venv-django6/bin/python verify/django_stack.py; \
	else echo "skipped: Django 6 (verify/django_stack.py) needs Python 3.12 or later, which this machine lacks"; fi
	POOLFIX_CLI=$(CURDIR)/target/debug/poolfix .venv-airflow/bin/python verify/airflow_stack.py
	POOLFIX_CLI=$(CURDIR)/target/debug/poolfix .venv-airflow2/bin/python verify/airflow2_stack.py
	POOLFIX_CLI=$(CURDIR)/target/debug/poolfix .venv-verify/bin/python verify/prisma7.py

# Prisma 7 and its node-postgres adapter, pinned by verify/prisma/package-lock.json.
verify/prisma/node_modules/.package-lock.json: verify/prisma/package-lock.json
	cd verify/prisma && npm ci --no-audit --no-fund --loglevel=error

# asyncpg 0.32 beside Prefect 3.4.20's own 0.30, put ahead on PYTHONPATH as `pip install
# 'asyncpg>=0.31'` in an image would (verify/prefect_versions.py).
.venv-prefect34/asyncpg-0.32/done: .venv-prefect34/requirements.txt
	.venv-prefect34/bin/pip install --quiet --disable-pip-version-check --target .venv-prefect34/asyncpg-0.32 asyncpg==0.32.0
	touch $@

# Django 6 needs Python 3.12 or later: on PATH, or under pyenv as on this project's machines.
PYTHON312 := $(firstword $(wildcard $(HOME)/.pyenv/versions/3.1[23].*/bin/python3) $(shell command -v python3.12 python3.13 2>/dev/null))
.venv-django6/requirements.txt: verify/requirements-django6.txt
	@echo "verify: python venv for Django 6 with $(PYTHON312) (about a minute)"
	$(PYTHON312) -m venv .venv-django6
	.venv-django6/bin/pip install --quiet --disable-pip-version-check -r $<
	cp $< $@

# A venv per service, rebuilt when its pinned requirements change.
.venv-%/requirements.txt: verify/requirements-%.txt
	@echo "verify: python venv for $* (about a minute)"
	python3 -m venv .venv-$*
	.venv-$*/bin/pip install --quiet --disable-pip-version-check -r $<
	cp $< $@

## make test: every test — lint, native unit tests, real-browser tests on the release build,
## and the driver-level verification.
test: setup-test build build-sub lint unit browser verify-drivers conventions size

size:
	@python3 scripts/size.py dist

## The smallest checker this stack allows: Leptos alone, and Leptos with the engine behind a
## single text box (scripts/size-floor.sh).
size-floor: setup
	scripts/size-floor.sh

## Lighthouse 12.8.2 on the release build, served with gzip like a static host.
lighthouse: build
	scripts/lighthouse.sh dist

## Browser benchmark: paste-to-results time of the checker for ~200 and ~2,000 lines.
bench-browser: build
	POOLFIX_DIST=$(CURDIR)/dist cargo test --locked -p poolfix --test browser_bench -- --ignored --nocapture

## Native benchmarks (criterion): the URL doctor and the compose doctor.
bench:
	cargo bench --locked -p poolfix-engine

clean:
	cargo clean
	rm -rf dist dist-sub
