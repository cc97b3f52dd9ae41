# Participe — `make help` lists the targets.
SHELL := /bin/bash
PORT ?= 8000
PY := .venv/bin/python
export DATABASE_URL ?= postgis://postgres@127.0.0.1:5432/participe
# The Ville de Paris open data next to the checkout (never copied into it), used by the demo when present:
# official boundaries, street names and Vélib stations for the place search. Without it: approximations.
SHARED_DATA ?= ../shared/data
demo: export PARIS_ARRONDISSEMENTS_FILE ?= $(wildcard $(SHARED_DATA)/arrondissements_paris.geojson)
demo: export PARIS_QUARTIERS_FILE ?= $(wildcard $(SHARED_DATA)/quartier_paris.geojson)
demo: export PARIS_FOUNTAINS_FILE ?= $(wildcard $(SHARED_DATA)/fontaines-a-boire_paris.json)
demo: export PARIS_VELIB_FILE ?= $(wildcard $(SHARED_DATA)/velib-emplacement-des-stations.geojson)
demo: export PARIS_BP_PROJECTS_FILE ?= $(wildcard $(SHARED_DATA)/bp_projets_gagnants.csv)

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: ## Install what is missing (Debian packages, PostgreSQL, .venv, database) and migrate
	@scripts/bootstrap.sh

demo: setup ## Load the territory and the French demo content (idempotent)
	@$(PY) manage.py load_demo

run: demo ## Serve HTTP + WebSockets on 127.0.0.1:$(PORT) with the task worker; Ctrl-C stops both
	@scripts/run.sh $(PORT)

test: ## Set up, then run the whole test suite (browser tests included)
	@scripts/bootstrap.sh --browser
	@$(PY) -m pytest $(PYTEST_ARGS)

mutation: ## Mutation testing of APP's services, selectors and rules (mutmut; not in `make test`): make mutation APP=pages [MUTATION_TESTS=tests/…] [MUTATION_SAMPLE=60]
	@scripts/mutation.sh $(APP) $(MUTATION_TESTS)

lint: ## Ruff (lint + format check)
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

messages: ## Extract translatable strings into locale/ and each app's locale/
	@$(PY) manage.py makemessages -l fr -l en --ignore=.venv --ignore=var --no-location

serve-prod: setup ## Several uvicorn workers behind one port, Redis layer/cache (see docs/operations.md)
	@scripts/serve_prod.sh $(PORT)

bench: setup ## Run the benchmarks in bench/ (prints figures)
	@DATABASE_URL="$${BENCH_DATABASE_URL:-postgis://postgres@127.0.0.1:5432/participe_bench}" \
		$(PY) bench/run_all.py $(BENCH_ARGS)

.PHONY: help setup demo run test mutation lint messages serve-prod bench
