# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
DEMO_DB := sqlite:///demo.db

.PHONY: install system-deps demo test dev bench validate clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# PostgreSQL server binaries for the database tests (the tests start their own cluster).
system-deps:
	@if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then echo "postgresql: present"; \
	else apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; fi

demo: install
	mkdir -p out
	$(VENV)/bin/et-pipeline run --source sample_data/2026-02-05 --db $(DEMO_DB) --dagster-home .dagster_home --out out
	$(VENV)/bin/et-pipeline report --db $(DEMO_DB) --date 2026-02-05 > out/report-2026-02-05.json
	@echo "report: out/report-2026-02-05.json   Discord payloads and graphs: out/2026-02-05/"
	@echo "open the UI with: make dev"

test: install system-deps
	$(VENV)/bin/pytest -q
	$(MAKE) validate

validate: install
	$(VENV)/bin/dagster definitions validate -w workspace.yaml

# The Dagster UI on the same instance `make demo` wrote to.
dev: install
	mkdir -p .dagster_home && cp -n dagster.yaml .dagster_home/dagster.yaml
	set -m; DAGSTER_HOME=$(CURDIR)/.dagster_home ET_DB_URL=$(DEMO_DB) $(VENV)/bin/dagster dev -w workspace.yaml

bench: install
	$(PY) bench/bench.py
	$(PY) bench/season_bench.py
	$(PY) bench/bench_ratings.py

clean:
	rm -rf out demo.db demo.db-wal demo.db-shm .dagster_home
