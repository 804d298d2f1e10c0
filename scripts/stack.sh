#!/usr/bin/env bash
# The local stack: the AWS emulator (pai-local-aws, infra/local/aws: DynamoDB in a SQLite file
# under the state folder, Step Functions running infra/statemachines) and `cargo lambda watch`
# serving the API, both in the background with pids and logs under the state folder (.local by
# default). The table's data survives `down`/`up`; `reset` wipes it.
#
#   scripts/stack.sh up       start (binaries must be built: cargo build --workspace --bins)
#   scripts/stack.sh down     stop exactly what `up` started
#   scripts/stack.sh reset    stop, then delete the local data (table and generated secrets)
#   scripts/stack.sh status   what runs
#   scripts/stack.sh logs     follow the logs
#   scripts/stack.sh env      print the stack's settings as `export` lines
#   scripts/stack.sh admin …  run pai-admin against this stack
#   scripts/stack.sh preflight  fail when this stack runs or its ports are taken
#
# Settings: PAI_API_PORT (8000), PAI_EMULATOR_PORT (5000), PAI_STATE_DIR (.local), PAI_WATCH_FLAGS
# (extra `cargo lambda watch` flags), PAI_ENV_FILE (.env), PAI_ADMIN (the
# pai-admin binary; default from the cargo target dir) and everything scripts/stack-env.sh reads.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
export PATH="$VENV/bin:$PATH" # cargo finds the venv's cargo-lambda

# Stop order: the API first (it calls the emulator), then the emulator, then helpers such as
# fake provider servers that a test harness registered with start_bg.
stop_all() {
    compgen -G "$PIDS_DIR/*.pid" >/dev/null || { say "nothing to stop in $STATE_DIR"; return 0; }
    stop_bg api
    stop_bg emulator
    local file
    for file in "$PIDS_DIR"/*.pid; do
        [[ -e $file ]] && stop_bg "$(basename "$file" .pid)"
    done
    return 0
}

# cargo lambda watch gives every function instance its own recursive file watcher of its working
# directory. Run from the project root, each of them would see every write of the local table, the
# logs and target/ (measured: the router at ~115 % CPU while conversations were being created, the
# functions at 4 %). Its working directory is therefore a folder of links to the code alone, so an
# edit still reloads the functions and nothing else reaches the watchers.
make_watch_root() {
    local root=$STATE_DIR/watch-root entry
    rm -rf "$root"
    mkdir -p "$root"
    for entry in Cargo.toml Cargo.lock core functions; do
        ln -s "$ROOT/$entry" "$root/$entry"
    done
    echo "$root"
}

health_ok() { curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$PAI_API_PORT/api/health/"; }

seed() {
    local admin=${PAI_ADMIN:-$(target_dir)/debug/pai-admin}
    [[ -x $admin ]] || die "$admin is missing: run cargo build --workspace --bins"
    if ! "$admin" seed --demo-users >"$LOGS_DIR/seed.log" 2>&1; then
        cat "$LOGS_DIR/seed.log" >&2
        die "seeding failed (pai-admin seed --demo-users; log: $LOGS_DIR/seed.log)"
    fi
}

# Fails clearly when this stack already runs or its ports are taken.
preflight() {
    local name pid port holder
    for name in api emulator; do
        if pid=$(running_pid "$name"); then
            die "the stack in $STATE_DIR is already running ($name: pid $pid); 'make stop' first"
        fi
    done
    for port in "$PAI_API_PORT" "$PAI_EMULATOR_PORT" "$PAI_SFN_PORT"; do
        if port_in_use "$port"; then
            holder=$(port_holder "$port")
            die "port $port is taken${holder:+ (by $holder)}; stop that or choose other ports with PAI_API_PORT / PAI_EMULATOR_PORT / PAI_SFN_PORT"
        fi
    done
}

# Starts pai-local-aws and waits until it is ready; fails (saying how to reset) when it exits.
start_emulator() {
    local emulator
    emulator=${PAI_LOCAL_AWS:-$(target_dir)/debug/pai-local-aws}
    [[ -x $emulator ]] || die "$emulator is missing: run cargo build --workspace --bins"
    say "starting the AWS emulator: DynamoDB on :$PAI_EMULATOR_PORT (data in $DATA_DIR), Step Functions on :$PAI_SFN_PORT"
    rm -f "$STATE_DIR/emulator.ready"
    mkdir -p "$DATA_DIR"
    start_bg emulator "$emulator" --host 127.0.0.1 \
        --dynamodb-port "$PAI_EMULATOR_PORT" --stepfunctions-port "$PAI_SFN_PORT" \
        --db-path "$DATA_DIR/pai.sqlite" --table "$TABLE_NAME" \
        --state-machines "$ROOT/infra/statemachines" \
        --lambda-url "http://127.0.0.1:$PAI_API_PORT" --ready-file "$STATE_DIR/emulator.ready"
    if ! wait_for "the emulator" 60 emulator test -f "$STATE_DIR/emulator.ready"; then
        say "If the data file is damaged or held by another process, 'make reset' wipes the local data ($DATA_DIR)." >&2
        return 1
    fi
}

up() {
    [[ -x $VENV/bin/python ]] || die "no venv: run scripts/venv.sh (make dev does)"
    source "$ROOT/scripts/stack-env.sh"
    preflight
    mkdir -p "$LOGS_DIR" "$PIDS_DIR"
    # Whatever goes wrong from here on, leave nothing running.
    trap 'stop_all >/dev/null; echo "the stack did not start; nothing is left running" >&2' EXIT

    start_emulator || exit 1

    say "seeding the catalog and the demo users"
    seed

    say "starting cargo lambda watch on http://127.0.0.1:$PAI_API_PORT"
    local watch_root
    watch_root=$(make_watch_root)
    # --disable-cors: our functions answer CORS from the allow-list (core/src/api/cors.rs), the
    # router's own permissive CORS must not. --concurrency: up to N instances of each function
    # serve requests side by side, as Lambda scales out (each instance one request at a time).
    # It runs in the watch root (see make_watch_root), with the project's manifest.
    # shellcheck disable=SC2086 # PAI_WATCH_FLAGS is a list of flags
    start_bg api \
        env -C "$watch_root" cargo lambda watch --manifest-path "$ROOT/Cargo.toml" \
        --invoke-address 127.0.0.1 --invoke-port "$PAI_API_PORT" \
        --disable-cors --concurrency "$PAI_WATCH_CONCURRENCY" ${PAI_WATCH_FLAGS:-}
    wait_for "http://127.0.0.1:$PAI_API_PORT/api/health/" 300 api health_ok || exit 1
    trap - EXIT
}

status() {
    local name pid file found=0
    for file in "$PIDS_DIR"/*.pid; do
        [[ -e $file ]] || continue
        name=$(basename "$file" .pid)
        if pid=$(running_pid "$name"); then say "$name: running (pid $pid)"; found=1; else say "$name: not running (stale pid file)"; fi
    done
    ((found)) || say "nothing runs from $STATE_DIR"
}

case ${1:-} in
up) up ;;
preflight)
    source "$ROOT/scripts/stack-env.sh"
    preflight
    ;;
admin)
    shift
    source "$ROOT/scripts/stack-env.sh"
    exec "${PAI_ADMIN:-$(target_dir)/debug/pai-admin}" "$@"
    ;;
down) stop_all ;;
# For the outage test: the emulator alone, while the API keeps running.
emulator-stop) stop_bg emulator ;;
emulator-start)
    source "$ROOT/scripts/stack-env.sh"
    start_emulator
    ;;
reset)
    stop_all
    rm -rf "$DATA_DIR" "$STATE_DIR/secrets.env"
    say "wiped the local data: the table in $DATA_DIR and the generated secrets ($STATE_DIR/secrets.env); 'make dev' starts afresh"
    ;;
status) status ;;
logs)
    ls "$LOGS_DIR"/*.log >/dev/null 2>&1 || die "no logs in $LOGS_DIR yet"
    exec tail -n 40 -F "$LOGS_DIR"/*.log
    ;;
env)
    source "$ROOT/scripts/stack-env.sh"
    for name in PAI_API_PORT PAI_EMULATOR_PORT PAI_SFN_PORT TABLE_NAME RUST_LOG ALLOW_UNPROTECTED_MODE \
        JWT_SECRET TOKENIZATION_KEY CHAT_TURN_STATE_MACHINE_ARN CONVERSATION_PURGE_STATE_MACHINE_ARN \
        AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB AWS_ENDPOINT_URL_SFN AWS_REGION \
        AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; do
        printf 'export %s=%q\n' "$name" "${!name}"
    done
    ;;
*) die "usage: $0 up|down|reset|status|logs|env|admin|preflight" ;;
esac
