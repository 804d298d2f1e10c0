# shellcheck shell=bash disable=SC2034 # the variables are used by the scripts that source this
# Shared by the scripts in this folder (source it). Paths, messages, background processes.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=$ROOT/.venv
# cargo resolves a relative target dir against its working directory, and the API runs elsewhere.
if [[ -n ${CARGO_TARGET_DIR:-} && $CARGO_TARGET_DIR != /* ]]; then
    export CARGO_TARGET_DIR=$ROOT/$CARGO_TARGET_DIR
fi
# Everything a running stack owns: pids/, logs/, secrets.env. The test stack uses .local/test.
STATE_DIR=${PAI_STATE_DIR:-$ROOT/.local}
PIDS_DIR=$STATE_DIR/pids
LOGS_DIR=$STATE_DIR/logs
# The local table's SQLite file lives here; it survives `make stop` / `make dev`.
DATA_DIR=$STATE_DIR/dynamodb

say() { printf '%s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# The cargo target directory (honours CARGO_TARGET_DIR and .cargo/config).
target_dir() {
    cargo metadata --format-version 1 --no-deps --manifest-path "$ROOT/Cargo.toml" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Who holds a port, for error messages (ss may be missing or need root: best effort).
port_holder() { ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -1; }

# The kernel's start time of a pid (field 22 of /proc/<pid>/stat): a pid plus its start time
# names one process, so a recycled pid is never mistaken for ours.
start_time() { awk '{ print $22 }' "/proc/$1/stat" 2>/dev/null; }

# start_bg NAME COMMAND...: runs COMMAND in its own session (pgid = pid) with output to
# logs/NAME.log, and records "pid start-time" in pids/NAME.pid.
start_bg() {
    local name=$1
    shift
    mkdir -p "$PIDS_DIR" "$LOGS_DIR"
    setsid "$@" >"$LOGS_DIR/$name.log" 2>&1 </dev/null &
    local pid=$!
    echo "$pid $(start_time "$pid")" >"$PIDS_DIR/$name.pid"
}

# Prints the pid recorded in pids/NAME.pid when that very process still runs.
running_pid() {
    local file=$PIDS_DIR/$1.pid pid started
    [[ -f $file ]] || return 1
    read -r pid started <"$file" || return 1
    [[ -n $pid && "$(start_time "$pid")" == "$started" ]] || return 1
    echo "$pid"
}

# Descendants of a pid (cargo lambda watch starts each function in a session of its own).
descendants() {
    ps -e -o pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2 }
        END {
            found[root] = 1
            do { grew = 0
                 for (p in parent) if (!(p in found) && (parent[p] in found)) { found[p] = 1; grew = 1 }
            } while (grew)
            for (p in found) if (p != root) print p
        }'
}

# kill_if_same SIGNAL PID:START-TIME...: signals each process that is still the one recorded.
kill_if_same() {
    local signal=$1 entry
    shift
    for entry in "$@"; do
        [[ "$(start_time "${entry%%:*}")" == "${entry#*:}" ]] && { kill "-$signal" "${entry%%:*}" 2>/dev/null || true; }
    done
    return 0
}

# stop_bg NAME: stops what start_bg NAME started: its process group, then anything it spawned
# elsewhere; SIGKILL after 10 s.
stop_bg() {
    local name=$1 pid children
    if pid=$(running_pid "$name"); then
        children=$(for child in $(descendants "$pid"); do echo "$child:$(start_time "$child")"; done)
        kill -TERM -- "-$pid" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
        # shellcheck disable=SC2086 # one word per process
        kill_if_same TERM $children
        sleep 0.2
        # shellcheck disable=SC2086
        kill_if_same KILL $children
        say "stopped $name (pid $pid)"
    fi
    rm -f "$PIDS_DIR/$name.pid"
}

# wait_for DESCRIPTION SECONDS NAME COMMAND...: retries COMMAND until it succeeds; fails (with the
# end of NAME's log) on timeout or as soon as the process started as NAME has died.
wait_for() {
    local what=$1 seconds=$2 name=$3
    shift 3
    local deadline=$((SECONDS + seconds)) problem=""
    until "$@"; do
        if ! running_pid "$name" >/dev/null; then
            problem="$name exited while waiting for $what"
        elif ((SECONDS >= deadline)); then
            problem="timed out after ${seconds}s waiting for $what"
        fi
        if [[ -n $problem ]]; then
            tail -n 30 "$LOGS_DIR/$name.log" >&2
            printf 'ERROR: %s (log: %s)\n' "$problem" "$LOGS_DIR/$name.log" >&2
            return 1
        fi
        sleep 0.5
    done
}
