#!/usr/bin/env python3
"""Cold-start cost of every function: time from exec to its first `GET /invocation/next` on a
stand-in Lambda Runtime API, and its resident memory at that moment (VmRSS, and the peak VmHWM).

    python3 bench/init/run.py                      # release build (the deploy profile), 15 runs each
    python3 bench/init/run.py --profile dev --runs 5
    python3 bench/init/run.py --no-build --json out.json

Builds `pai-functions` with cargo first (unless --no-build). The environment is the local
stack's (TABLE_NAME, keys, endpoints pointing at a closed port): nothing in an init may call
the network, so none is needed. Linux only (reads /proc). Standard library only.
"""
import argparse
import base64
import http.server
import json
import os
import pathlib
import statistics
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]

ENV = {
    "TABLE_NAME": "pai-bench",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    # A closed port: an init that reaches for the network fails loudly instead of hanging.
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "JWT_SECRET": base64.b64encode(b"b" * 48).decode(),
    "TOKENIZATION_KEY": base64.b64encode(b"k" * 32).decode(),
    "CHAT_TURN_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:chat-turn",
    "CONVERSATION_PURGE_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:conversation-purge",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
    "AWS_LAMBDA_LOG_GROUP_NAME": "bench",
    "RUST_LOG": "warn",
    "PATH": os.environ.get("PATH", ""),
}


class RuntimeApi(http.server.ThreadingHTTPServer):
    """Records when the first `invocation/next` arrives, and keeps it waiting."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.arrived = threading.Event()
        self.arrived_at = 0.0
        self.rss_kb = 0
        self.hwm_kb = 0
        self.pid = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        server: RuntimeApi = self.server  # type: ignore[assignment]
        if self.path.endswith("/runtime/invocation/next") and not server.arrived.is_set():
            server.arrived_at = time.perf_counter()
            server.rss_kb, server.hwm_kb = memory(server.pid)
            server.arrived.set()
        # Never answer: the function waits here until it is killed.
        time.sleep(30)

    def log_message(self, *args):
        pass


def memory(pid):
    rss = hwm = 0
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def functions():
    return sorted(p.stem for p in (ROOT / "functions/src/bin").glob("*.rs"))


def target_dir():
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    return pathlib.Path(json.loads(out)["target_directory"])


def measure(binary, timeout=20.0):
    server = RuntimeApi()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env = dict(ENV, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{server.server_address[1]}")
    started = time.perf_counter()
    process = subprocess.Popen([str(binary)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server.pid = process.pid
    try:
        if not server.arrived.wait(timeout):
            process.kill()
            _, err = process.communicate()
            raise RuntimeError(f"{binary.name} never asked for an invocation: {err.decode()[-500:]}")
        return (server.arrived_at - started) * 1000.0, server.rss_kb / 1024.0, server.hwm_kb / 1024.0
    finally:
        process.kill()
        process.wait()
        server.shutdown()
        server.server_close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="release")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("functions", nargs="*", help="only these functions")
    args = parser.parse_args()

    names = args.functions or functions()
    if not args.no_build:
        subprocess.run(
            ["cargo", "build", "--profile", args.profile, "-p", "pai-functions", "--bins"],
            cwd=ROOT, check=True,
        )
    folder = "debug" if args.profile == "dev" else args.profile
    binaries = target_dir() / folder
    results = []
    # Interleaved rounds, so a busy moment of the machine spreads over every function.
    samples = {name: [] for name in names}
    for _ in range(args.runs):
        for name in names:
            samples[name].append(measure(binaries / name))
    print(f"{'function':<28} {'init p50 ms':>12} {'init max ms':>12} {'RSS MB':>8} {'peak MB':>8}")
    for name in names:
        times = [s[0] for s in samples[name]]
        rss = statistics.median(s[1] for s in samples[name])
        hwm = statistics.median(s[2] for s in samples[name])
        row = {
            "function": name,
            "init_ms_p50": round(statistics.median(times), 2),
            "init_ms_max": round(max(times), 2),
            "rss_mb": round(rss, 1),
            "peak_rss_mb": round(hwm, 1),
        }
        results.append(row)
        print(f"{name:<28} {row['init_ms_p50']:>12.1f} {row['init_ms_max']:>12.1f} {rss:>8.1f} {hwm:>8.1f}")
    print(f"\nprofile {args.profile}, {args.runs} runs per function, {os.cpu_count()} cores")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
