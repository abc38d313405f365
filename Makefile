# culture-ops: the two commands are `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(CURDIR)/$(VENV)/bin/python
PACKAGES := libs/service-kit services/facilities-api services/operators-api services/feedback-api gateway
SERVICES := facilities_api operators_api feedback_api gateway
PYPROJECTS := $(foreach p,$(PACKAGES),$(p)/pyproject.toml)

.PHONY: help run run-postgres drills test install frontend migrate seed lint bench clean

help: ## these targets, and the settings of `make run`
	@grep -E '^[a-z-]+:.*## ' Makefile | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 22
	@echo
	@echo "Settings (environment variables; details in scripts/run_platform.py):"
	@echo "  CULTURE_OPS_PORT_BASE=8000      the gateway's port; the services listen on the next three"
	@echo "  GATEWAY_PORT, FACILITIES_PORT, OPERATORS_PORT, FEEDBACK_PORT   one process's port"
	@echo "  FACILITIES_DATABASE_URL, OPERATORS_DATABASE_URL, FEEDBACK_DATABASE_URL, GATEWAY_DATABASE_URL"
	@echo "                                  each service's database (default: SQLite under var/)"
	@echo "  CULTURE_OPS_POSTGRES_URL        run-postgres: the server (default postgres@127.0.0.1:5432)"
	@echo "  CULTURE_OPS_DATABASE_PREFIX     run-postgres: the databases' name prefix (culture_ops_)"

run: install frontend migrate seed ## the whole platform with demo data at http://127.0.0.1:8000
	@$(PY) scripts/run_platform.py

run-postgres: install frontend ## the same on PostgreSQL: creates the databases, migrates, seeds, runs
	@$(PY) scripts/run_platform.py --postgres

drills: install ## fault drills on a scratch PostgreSQL cluster (not part of `make test`); see scripts/drills/
	@$(PY) scripts/drills/run.py

test: install frontend ## every test: services, gateway, platform, deploy files (and the SPA's)
	@bash scripts/test_all.sh

$(VENV)/.installed: $(PYPROJECTS) requirements-dev.txt constraints.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/python -m pip install --quiet --upgrade pip
	@$(VENV)/bin/python -m pip install --quiet -c constraints.txt -r requirements-dev.txt $(foreach p,$(PACKAGES),-e $(p))
	@touch $@

install: $(VENV)/.installed

frontend: ## build the SPA when it exists and Node.js is installed
	@if [ -f frontend/package.json ]; then \
	  if command -v npm >/dev/null; then \
	    (cd frontend && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build --silent); \
	  else echo "Node.js is not installed: the gateway serves a placeholder page instead of the web app"; fi; \
	fi

migrate: install
	@for m in $(SERVICES); do $(PY) -m $$m migrate || exit 1; done

seed: install
	@# The gateway first: on a fresh identity database the demo accounts get ids 1-5 (demo-resident is 1),
	@# which the other services' demo data refers to.
	@for m in gateway operators_api facilities_api feedback_api; do $(PY) -m $$m seed-demo || exit 1; done

lint: install ## ruff, the format, the type checker and each package's import contracts
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy
	@for p in $(PACKAGES); do \
	  if grep -q '^\[tool.importlinter\]' $$p/pyproject.toml; then \
	    (cd $$p && $(CURDIR)/$(VENV)/bin/lint-imports --no-cache) || exit 1; fi; \
	done

bench: install ## benchmarks; results in bench/results/
	@$(PY) bench/run_all.py

clean:
	rm -rf var
