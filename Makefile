# The developer commands. `make dev` runs everything locally, `make test` runs every test.
# Scripts live in scripts/; settings are environment variables (see .env.example and README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help dev stop logs status test routes venv admin env

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-8s %s\n", $$1, $$2 }'

dev: ## start the local stack in the background: API on http://127.0.0.1:8000, AWS emulator on :5000
	@scripts/dev.sh

stop: ## stop what `make dev` started
	@scripts/stack.sh down

logs: ## follow the stack's logs (.local/logs)
	@scripts/stack.sh logs

status: ## show what runs
	@scripts/stack.sh status

test: ## every check and test: fmt, clippy, unit, routes, a fresh stack on other ports + integration
	@scripts/test.sh

routes: ## regenerate Cargo.toml's router from infra/routes.txt
	@python3 infra/routes.py

venv: ## create/update the project venv (.venv) with the pinned tools
	@scripts/venv.sh

admin: ## run pai-admin against the dev stack, e.g. make admin ARGS='user list'
	@scripts/stack.sh admin $(ARGS)

env: ## print the dev stack's settings as export lines (eval "$(make -s env)")
	@scripts/stack.sh env
