# The developer commands. `make dev` runs everything locally, `make test` runs every test.
# Scripts live in scripts/; settings are environment variables (see .env.example and README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help dev stop reset logs status test routes venv admin env

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-8s %s\n", $$1, $$2 }'

dev: ## start the local stack in the background: API on http://127.0.0.1:8000, AWS emulator on :5000/:5001
	@scripts/dev.sh

stop: ## stop what `make dev` started (the local data stays in .local/dynamodb)
	@scripts/stack.sh down

reset: ## stop the stack and wipe its local data (table and generated secrets)
	@scripts/stack.sh reset

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
