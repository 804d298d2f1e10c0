#!/usr/bin/env bash
# `make test`: every check and test. Runs all steps even when one fails, stops the test stack
# whatever happens, prints a summary, and exits non-zero when anything failed.
#
# The integration tests run against a fresh stack of their own (state in .local/test, API on
# PAI_TEST_API_PORT=9000, emulator on PAI_TEST_EMULATOR_PORT=5100, fakes of third-party APIs from
# PAI_TEST_FAKE_LLM_PORT=9300), so a running `make dev` stack is left alone. They get
# PAI_BASE_URL, PAI_ADMIN (the pai-admin binary) and the stack's settings (TABLE_NAME, AWS_*, ...).
set -uo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1
export PATH="$VENV/bin:$PATH"

failed=()
summary=$(mktemp)
totals=$(mktemp)
trap 'rm -f "$summary" "$totals"' EXIT

# step NAME COMMAND...: runs one step, records a failure instead of stopping.
step() {
    local name=$1 started=$SECONDS
    shift
    printf '\n==> %s\n' "$name"
    if ! "$@"; then
        failed+=("$name")
        printf '==> FAILED: %s (%d s)\n' "$name" $((SECONDS - started)) | tee -a "$summary"
        return 1
    fi
    printf 'ok: %s (%d s)\n' "$name" $((SECONDS - started)) >>"$summary"
}

# Runs cargo test, keeping its summary lines ("test result: ...") for the end.
cargo_test() {
    local output status
    output=$(mktemp)
    cargo test "$@" 2>&1 | tee "$output"
    status=${PIPESTATUS[0]}
    # Keep each test binary's result line, except the many binaries that hold no tests.
    grep -E '^(test result:|error)' "$output" | grep -v ' 0 passed; 0 failed; 0 ignored' >>"$summary"
    rm -f "$output"
    return "$status"
}

# The deployment files: sam validate --lint, cfn-lint, asl-validator, route/function/task
# consistency, and a `sam build` (x86_64, debug build mode) of every function.
infra_checks() {
    infra/check --sam-build
}

# Hook: servers that stand in for third-party APIs start here, BEFORE the stack, because the
# functions' environment is fixed when the stack starts. Start each with
# `start_bg <name> <command...>` (scripts/lib.sh: logs in .local/test/logs, stopped with the test
# stack), wait until it answers, and export the settings that point the stack at it. For example:
#   start_bg fake-llm "$(target_dir)/debug/fake-llm" --port "$PAI_TEST_FAKE_LLM_PORT"
#   wait_for "the fake LLM" 30 fake-llm curl -sf "http://127.0.0.1:$PAI_TEST_FAKE_LLM_PORT/__health"
#   export OPENAI_API_KEY=test OPENAI_BASE_URL=http://127.0.0.1:$PAI_TEST_FAKE_LLM_PORT/openai/v1
export PAI_TEST_FAKE_LLM_PORT=${PAI_TEST_FAKE_LLM_PORT:-9300}
start_fakes() {
    local fake=http://127.0.0.1:$PAI_TEST_FAKE_LLM_PORT
    start_bg fake-llm "$(target_dir)/debug/fake-llm" --port "$PAI_TEST_FAKE_LLM_PORT" || return 1
    wait_for "the fake LLM" 30 fake-llm curl -sf "$fake/__health" || return 1
    export FAKE_LLM_URL=$fake
    export ENABLED_LLM_PROVIDERS=openai,azure_openai,anthropic,echo
    export OPENAI_API_KEY=test-openai-key OPENAI_BASE_URL=$fake/openai/v1
    export AZURE_OPENAI_API_KEY=test-azure-key AZURE_OPENAI_ENDPOINT=$fake/azure
    export ANTHROPIC_API_KEY=test-anthropic-key ANTHROPIC_BASE_URL=$fake/anthropic
    # Short limits so failure paths finish quickly: a slow provider times out after 5 s, and
    # poll fails a turn still pending after 40 s.
    export LLM_TIMEOUT_SECONDS=5 TURN_DEADLINE_SECONDS=40
    # Quick turns (the fake answers at once) come back inline; the fake's slow scenarios take
    # longer than this, so their turns answer `pending` and complete by polling.
    export CHAT_INLINE_WAIT_SECONDS=3
}

# Starts every function once (cargo lambda watch starts a function on its first call), so no
# test's first request waits for a process start under a task timeout.
warm_functions() {
    local bin name
    for bin in functions/src/bin/*.rs; do
        name=$(basename "$bin" .rs)
        curl -s -o /dev/null --max-time 120 -X POST -d '{}' \
            "http://127.0.0.1:$PAI_API_PORT/2015-03-31/functions/$name/invocations" || true
    done
}

test_stack_up() {
    start_fakes && scripts/stack.sh up && warm_functions
}

integration_tests() {
    PAI_BASE_URL=http://127.0.0.1:$PAI_API_PORT PAI_ADMIN=$(target_dir)/debug/pai-admin \
        cargo_test -p pai-integration --no-fail-fast
}

# Alone, after the others: it stops and restarts the test stack's emulator.
outage_test() {
    PAI_BASE_URL=http://127.0.0.1:$PAI_API_PORT PAI_ADMIN=$(target_dir)/debug/pai-admin \
        PAI_STACK_CTL=$ROOT/scripts/stack.sh cargo_test -p pai-integration --test outage -- --ignored
}

step "venv" scripts/venv.sh checks
step "cargo fmt --check" cargo fmt --all --check
step "cargo clippy" cargo clippy --workspace --all-targets -- -D warnings
step "unit tests" cargo_test --workspace --exclude pai-integration --no-fail-fast
step "routes up to date" python3 infra/routes.py --check
step "infra checks" infra_checks
step "build every binary" cargo build --workspace --bins

# The test stack: its own state folder and ports; stopped on any exit.
export PAI_STATE_DIR=$ROOT/.local/test
export PAI_API_PORT=${PAI_TEST_API_PORT:-9000} PAI_EMULATOR_PORT=${PAI_TEST_EMULATOR_PORT:-5100} PAI_SFN_PORT=${PAI_TEST_SFN_PORT:-5101}
export PAI_WATCH_FLAGS="--ignore-changes" PAI_ENV_FILE=""
# Fewer instances per function than `make dev`: each extra instance is started through `cargo run`
# (docs/local-stack.md), and four already serve the concurrency tests side by side.
export PAI_WATCH_CONCURRENCY=${PAI_TEST_WATCH_CONCURRENCY:-4}
# shellcheck disable=SC2034 # read by the lib.sh functions
STATE_DIR=$PAI_STATE_DIR PIDS_DIR=$PAI_STATE_DIR/pids LOGS_DIR=$PAI_STATE_DIR/logs DATA_DIR=$PAI_STATE_DIR/dynamodb
trap 'scripts/stack.sh down >/dev/null; rm -f "$summary" "$totals"' EXIT
if [[ -x $VENV/bin/python ]]; then
    source scripts/stack-env.sh
    scripts/stack.sh down >/dev/null # a test stack left over by an interrupted run
    rm -rf "$DATA_DIR"                 # every run starts from an empty table
    if step "start the test stack" test_stack_up; then
        step "integration tests" integration_tests
        step "outage: emulator down" outage_test
    fi
    scripts/stack.sh down
else
    failed+=("start the test stack (no venv)")
fi

printf '\n==> summary\n'
cat "$summary"
# One closing line with the totals of every cargo test run above.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$summary" >"$totals"
if ((${#failed[@]})); then
    printf '\nFAILED: %s\n' "${failed[@]}"
    printf 'logs of the test stack: %s\n' "$LOGS_DIR"
    cat "$totals"
    exit 1
fi
echo "all checks and tests passed"
cat "$totals"
