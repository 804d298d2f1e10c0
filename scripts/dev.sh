#!/usr/bin/env bash
# `make dev`: the venv, every binary built (so no request waits for a compile), the stack started
# in the background (scripts/stack.sh up), then how to use it and how long each step took.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

timings=()
# timed NAME COMMAND...: runs COMMAND and records how long it took.
timed() {
    local name=$1 started=$SECONDS
    shift
    "$@"
    timings+=("$(printf '%-40s %4d s' "$name" $((SECONDS - started)))")
}

timed "venv (cargo-lambda)" "$ROOT/scripts/venv.sh"
source "$ROOT/scripts/stack-env.sh"
"$ROOT/scripts/stack.sh" preflight # before a long build: already running, port taken
say "building every binary (cargo build --workspace --bins)"
timed "build (cargo build --workspace --bins)" cargo build --workspace --bins
timed "start (emulator, seed, API)" "$ROOT/scripts/stack.sh" up

api=http://127.0.0.1:$PAI_API_PORT
cat <<INFO

The API runs on $api  (health: $api/api/health/)
Demo logins:  protegrity_demo / ProtegrityDemo!2026  (PROTEGRITY)
              standard_demo / StandardDemo!2026      (STANDARD)
Logs:         $LOGS_DIR/  (make logs)
Data:         $DATA_DIR/  (kept by make stop; make reset wipes it)
AWS emulator: DynamoDB http://127.0.0.1:$PAI_EMULATOR_PORT (table $TABLE_NAME), Step Functions http://127.0.0.1:$PAI_SFN_PORT
Admin CLI:    make admin ARGS='user list'
Stop:         make stop

Time taken:
INFO
printf '  %s\n' "${timings[@]}"
