# `make demo` and `make test` set everything up on a fresh machine (`make test-system` runs the system tier).
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
LOCK   := requirements.lock
# One app database for `make demo`, `make dev` and `et-pipeline` without --db (the CLI's and
# .env.example's default), so the UI always shows what the demo wrote.
DB      := sqlite:///et_pipeline.db
DEV_PORT ?= 3000

.PHONY: install lock system-deps demo test test-system dev dev-home bench validate screenshots clean

# The exact versions of requirements.lock (uv: seconds, where pip takes a minute), bytecode
# compiled at install (PYTHONDONTWRITEBYTECODE would otherwise cost every start ~0.8 s), then
# this project itself, editable.
$(STAMP): pyproject.toml $(LOCK)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip uv
	$(VENV)/bin/uv pip install -q --python $(PY) --compile-bytecode -r $(LOCK)
	$(VENV)/bin/uv pip install -q --python $(PY) --compile-bytecode --no-deps -e .
	touch $(STAMP)

# After changing pyproject's dependencies: pin the new set (test_dependencies keeps them in step).
lock:
	$(VENV)/bin/uv pip compile -q pyproject.toml --extra test --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu -o $(LOCK)

install: $(STAMP)

# PostgreSQL server binaries for the database tests (the tests start their own cluster) and
# Redis, the broker of the celery-executor test (started by the test on a loopback port).
system-deps:
	@if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then echo "postgresql: present"; \
	else apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; fi
	@if command -v redis-server >/dev/null 2>&1; then echo "redis-server: present"; \
	else apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server; fi

demo: install
	mkdir -p out
	$(VENV)/bin/et-pipeline run --source sample_data/2026-02-05 --db $(DB) --dagster-home .dagster_home --out out
	$(VENV)/bin/et-pipeline report --db $(DB) --date 2026-02-05 > out/report-2026-02-05.json
	@echo "report: out/report-2026-02-05.json   Discord payloads and graphs: out/2026-02-05/"
	@echo "open the UI with: make dev"

# Two tiers. `make test`: the rules on the pure functions, the resources against real servers
# on loopback (PostgreSQL, SFTP, an HTTP Discord, Lua 5.4) and one or a few Dagster integration
# tests of each layer (materialize(), sensor ticks, asset checks, the command line, the recorded
# night end to end run twice, PostgreSQL): a few minutes. `make test-system`: the tests marked
# `system` (pyproject's markers), the scenarios through the whole system: a real dagster-daemon
# killed mid-night, Celery, racing processes, the publishing acceptance check, generated
# seasons, the faults that take many runs. `.ci/run` runs both.
#
# Two workers per core: a good part of the suite's time is spent waiting (a real
# dagster-daemon's ticks, the loopback Discord's delays, servers and subprocesses). The
# longest modules go first, in conftest.LONGEST_MODULES' order (`--no-loadscope-reorder`
# keeps it: xdist would hand out the modules with the most tests first). A module's tests
# stay on one worker, so its shared fixtures (a season database, the PostgreSQL cluster)
# are built once.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))
PYTEST := $(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder
# The project's own bytecode first: where PYTHONDONTWRITEBYTECODE is set (CI machines here),
# every process the suite starts (runs, daemons, code servers) would otherwise compile the
# modules it imports from source again.
COMPILE := $(PY) -m compileall -q -j 0 et_pipeline et_pipeline_tests
test: install system-deps
	$(COMPILE)
	$(PYTEST) -m "not system"
	$(MAKE) validate

test-system: install system-deps
	$(COMPILE)
	$(PYTEST) -m system

# Dagster's commands read a dagster.yaml in the folder they start in when DAGSTER_HOME is not
# set: here that is production's (PostgreSQL). Every target names the development instance.
dev-home:
	mkdir -p .dagster_home && (test -f .dagster_home/dagster.yaml || cp deploy/dagster.dev.yaml .dagster_home/dagster.yaml)

validate: install dev-home
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(VENV)/bin/dagster definitions validate -w workspace.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster_home VIRTUAL_ENV=$(CURDIR)/$(VENV) $(VENV)/bin/dg check defs

# The Dagster UI on the instance and database `make demo` wrote (DEV_PORT=3001 make dev for another
# port). `dagster dev` is what Dagster 1.13 documents without the `dg` tool; its notice that `dg dev`
# supersedes it is filtered, by its exact text, and nothing else.
dev: install dev-home
	set -m 2>/dev/null; DAGSTER_HOME=$(CURDIR)/.dagster_home ET_DB_URL=$(DB) \
	  PYTHONWARNINGS='ignore:Function `dev_command` is superseded:FutureWarning' \
	  $(VENV)/bin/dagster dev -w workspace.yaml -p $(DEV_PORT)

bench: install
	$(PY) bench/bench.py
	$(PY) bench/season_bench.py
	$(PY) bench/bench_ratings.py
	$(PY) bench/checks_bench.py --nights 100 --seeds 101
	$(PY) bench/bench_predictions.py

# The players' and admins' channels and the Dagster UI as people see them (docs/screenshots/),
# rendered from what the code produces: a small season plus the sample night, dry-run, drawn by
# tools/render_discord.py in headless Chromium; the UI from a dagster-webserver on loopback,
# started for the shots and stopped after them.
screenshots: install
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-color-emoji; }
	$(PY) tools/discord_screenshots.py --out docs/screenshots

clean:
	rm -rf out et_pipeline.db et_pipeline.db-wal et_pipeline.db-shm et_pipeline.db.lock et_pipeline.db.season.lock .dagster_home
