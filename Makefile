# Two commands for a newcomer: `make demo` and `make test`. Everything else here supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DAP_VENV := .venv-dap
STATE := .cd2
DEMO_PORT ?= 8765
DEMO_SCALE ?= small
DBT_PROFILES_DIR := $(STATE)/dbt

export DAP_TRACKING := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export RUNTIME__DLTHUB_TELEMETRY := false
export DBT_PROFILES_DIR

.PHONY: setup demo demo-stop test lint codegen-check dbt-parse pytest clean browser docs

$(BIN)/cd2: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(DAP_VENV)/bin/dap:
	$(PYTHON) -m venv $(DAP_VENV)
	$(DAP_VENV)/bin/pip install --quiet --upgrade pip
	$(DAP_VENV)/bin/pip install --quiet "instructure-dap-client[postgresql]==2.3.1"

$(DBT_PROFILES_DIR)/profiles.yml: profiles.example.yml
	mkdir -p $(DBT_PROFILES_DIR)
	cp profiles.example.yml $@

setup: $(BIN)/cd2 $(DAP_VENV)/bin/dap $(DBT_PROFILES_DIR)/profiles.yml

## demo: emulator + embedded warehouse + snapshot load + one increment + dbt build
demo: $(BIN)/cd2 $(DBT_PROFILES_DIR)/profiles.yml
	@mkdir -p $(STATE)
	@if [ -f $(STATE)/emulator.pid ]; then kill $$(cat $(STATE)/emulator.pid) 2>/dev/null || true; fi
	@echo "==> starting the DAP emulator on port $(DEMO_PORT) (scale $(DEMO_SCALE))"
	@$(BIN)/cd2-emulator serve --port $(DEMO_PORT) --seed 1 --scale $(DEMO_SCALE) \
		--state-dir $(STATE)/emulator > $(STATE)/emulator.env 2> $(STATE)/emulator.log & \
		echo $$! > $(STATE)/emulator.pid
	@for i in $$(seq 1 100); do grep -q DAP_API_URL $(STATE)/emulator.env && break; sleep 0.2; done
	@grep -q DAP_API_URL $(STATE)/emulator.env || { cat $(STATE)/emulator.log; exit 1; }
	@# The emulator starts from its seed and clock every time, so the demo starts from an empty
	@# warehouse too: a previous demo's watermarks would lie in the new emulator's future.
	@$(BIN)/cd2 warehouse down > /dev/null 2>&1 || true
	@rm -rf $(STATE)/warehouse $(STATE)/pipelines
	@echo "==> starting the embedded PostgreSQL warehouse (fresh)"
	@$(BIN)/cd2 warehouse up
	@# The emulator enforces no per-minute limits, so the demo lifts the client-side ones (the
	@# documented 5 job creations a minute would make ~90 tables take ~18 minutes per load).
	@set -a && source $(STATE)/emulator.env && set +a && \
		export SOURCES__DAP__RATE_LIMIT_SCALE=0 && \
		echo "==> loading a snapshot of every table" && \
		$(BIN)/cd2 load && \
		echo "==> advancing the emulator's clock by 24 hours" && \
		$(BIN)/cd2-emulator advance --hours 24 --url $$DAP_API_URL && \
		echo "==> loading the increment" && \
		$(BIN)/cd2 load && \
		eval "$$($(BIN)/cd2 warehouse url --env)" && \
		echo "==> dbt build (current state, CD1 star schema, reports)" && \
		$(BIN)/dbt build --quiet --warn-error-options '{"error": []}' && \
		$(BIN)/cd2 summary
	@kill $$(cat $(STATE)/emulator.pid) 2>/dev/null || true
	@echo
	@echo "The warehouse keeps running. Connect with: $$($(BIN)/cd2 warehouse url)"
	@echo "Stop it with: $(BIN)/cd2 warehouse down"

## test: everything CI runs
test: setup lint codegen-check dbt-parse pytest

lint: $(BIN)/cd2
	$(BIN)/ruff check loader emulator tests bench
	$(BIN)/ruff format --check loader emulator tests bench
	$(BIN)/mypy

codegen-check: $(BIN)/cd2
	$(BIN)/cd2 codegen
	git diff --exit-code -- models loader/catalog docs || \
		{ echo "generated files differ from what is committed: run 'cd2 codegen' and commit"; exit 1; }

dbt-parse: $(BIN)/cd2 $(DBT_PROFILES_DIR)/profiles.yml
	$(BIN)/dbt parse --quiet

## browser: headless Chromium (Debian's package) for the docs site's browser test
browser:
	@command -v chromium > /dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## docs: the data dictionary, target/static_index.html (with the catalog when the warehouse runs)
docs: $(BIN)/cd2 $(DBT_PROFILES_DIR)/profiles.yml
	@eval "$$($(BIN)/cd2 warehouse url --env)" && $(BIN)/cd2 docs

pytest: setup browser
	DAP_CLI=$(CURDIR)/$(DAP_VENV)/bin/dap $(BIN)/pytest -p no:cacheprovider tests

clean:
	-$(BIN)/cd2 warehouse down
	rm -rf $(STATE) target logs
