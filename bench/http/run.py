#!/usr/bin/env python3
"""HTTP benchmark of a running stack, driven the way the React console drives it.

Sub-commands (README.md next to this file explains each op and how to read the output):

    run.py api          health, login, list, detail, chat-new, chat-continue at each concurrency
    run.py list-scale   list latency for a user with 10 and then 1,000 conversations
    run.py creates      1,000 POST /api/conversations/ by 8 client threads
    run.py turns        a long sequential run of chat turns by one client (takes minutes)
    run.py all          all of the above, one after the other

Standard library only. Each client thread owns one keep-alive HTTP/1.1 connection.
Exit status: 0 when no request failed with a 5xx, a connection error or a timeout; 1 when one did;
2 when the run could not start (stack unreachable, login failed, bad arguments).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shlex
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

DEFAULT_REPO = Path(__file__).resolve().parents[2]
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEMO_USER = "standard_demo"
DEMO_PASSWORD = "StandardDemo!2026"
MODEL_ID = "echo"
PROTEGRITY_MODE = "redact"
CHAT_MESSAGE = "Please explain in two sentences why automated tests are worth writing."
DETAIL_MESSAGES = 20
POLL_INTERVAL_S = 0.05
READ_REQUESTS = 200
CHAT_REQUESTS = 50
SETUP_THREADS = 8
DEFAULT_ADMIN_CMD = "make -s -C {repo} admin ARGS={args}"  # {repo}: --repo

CHAT_OPS = ("chat-new", "chat-continue")

# The original Django + SQLite backend under gunicorn, same kind of 2-core machine, instant fake
# LLM: (op, concurrency) -> (metric, value). Printed beside our number.
REFERENCE = {
    ("list", 1): ("p50_ms", 42.0),
    ("detail", 1): ("p50_ms", 20.0),
    ("chat-new", 1): ("p50_ms", 68.0),
    ("chat-continue", 1): ("p50_ms", 68.0),
    ("chat-new", 8): ("p50_ms", 500.0),
    ("chat-continue", 8): ("p50_ms", 500.0),
    ("creates", 8): ("req_per_s", 354.0),
}


class SetupError(Exception):
    """The run cannot start or its setup failed: reported clearly, exit status 2."""


# --------------------------------------------------------------------------------------------
# HTTP client
# --------------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection to the API. Not thread-safe: one per client thread.

    `request` never raises for network trouble: it answers the status "conn-error" or
    "timeout" instead, so the benchmark counts the failure and goes on.
    """

    def __init__(self, base_url: str, timeout: float, token: str | None = None):
        url = urllib.parse.urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise SetupError(f"--base-url must be http(s)://host[:port], not {base_url!r}")
        self.https = url.scheme == "https"
        self.host = url.hostname
        self.port = url.port or (443 if self.https else 80)
        self.prefix = url.path.rstrip("/")
        self.timeout = timeout
        self.token = token
        self.reconnects = 0
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _connect(self) -> None:
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        self.conn = cls(self.host, self.port, timeout=self.timeout)

    def request(self, method: str, path: str, body: dict | None = None, auth: bool = True):
        """Returns (status, parsed JSON body or raw text or None)."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in (1, 2):
            fresh = self.conn is None
            if fresh:
                self._connect()
            try:
                self.conn.request(method, self.prefix + path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
            except TimeoutError:
                self.close()
                return "timeout", None
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                # A kept-alive connection the server had already closed: retry a GET once on a
                # new one. Never a POST: the server may have acted on it (a repeated chat turn
                # would answer 409).
                if not fresh and attempt == 1 and method == "GET":
                    self.reconnects += 1
                    continue
                return "conn-error", None
            except (OSError, http.client.HTTPException):
                self.close()
                return "conn-error", None
            if response.will_close:
                self.close()
            return response.status, parse_body(raw)
        return "conn-error", None  # not reached


def parse_body(raw: bytes):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def error_code(body) -> str:
    """`error.code` of an app error, `code` of an auth error, else ""."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("code"):
            return str(error["code"])
        if body.get("code"):
            return str(body["code"])
    return ""


def is_ok(status) -> bool:
    return isinstance(status, int) and 200 <= status < 300


def is_failure(status) -> bool:
    """What makes the exit status 1: a 5xx, or no answer at all (also for "503 <code>" keys)."""
    if isinstance(status, str):
        head = status.split(" ", 1)[0]
        status = int(head) if head.isdigit() else head
    return not isinstance(status, int) or status >= 500


# --------------------------------------------------------------------------------------------
# Context, samples, results
# --------------------------------------------------------------------------------------------


@dataclass
class Context:
    """What every op needs: where the stack is, who we are, and what setup created."""

    base_url: str
    timeout: float
    poll_timeout: float
    user: str
    password: str
    token: str = ""
    detail_id: str = ""
    created: set = field(default_factory=set)
    setup_errors: Counter = field(default_factory=Counter)  # non-2xx answers outside the measured ops
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self) -> Client:
        return Client(self.base_url, self.timeout, self.token)

    def note_setup(self, statuses: Counter) -> None:
        """Keeps the non-2xx answers of setup and cleanup requests, to report them."""
        with self.lock:
            self.setup_errors.update({k: v for k, v in statuses.items() if not k.startswith("2")})

    def remember(self, conversation_id: str | None) -> None:
        """Notes a conversation this run created, to delete it at the end."""
        if conversation_id:
            with self.lock:
                self.created.add(conversation_id)


@dataclass
class Sample:
    latency: float
    status: object  # int HTTP status, or "conn-error" / "timeout" / "poll-timeout"
    code: str = ""  # error code of a non-2xx answer (API.md), e.g. "turn_in_progress"
    outcome: str = ""  # chat: "completed", "pending" (then polled), "blocked"
    polls: int = 0
    conversation_id: str | None = None


@dataclass
class Result:
    op: str
    concurrency: int
    samples: list
    wall: float
    notes: dict = field(default_factory=dict)

    @property
    def statuses(self) -> Counter:
        return Counter(str(s.status) for s in self.samples)

    @property
    def errors(self) -> Counter:
        """Non-2xx answers by status, with the error code when the body had one."""
        return Counter(f"{s.status} {s.code}".strip() for s in self.samples if not is_ok(s.status))

    @property
    def failed(self) -> bool:
        return any(is_failure(s.status) for s in self.samples)

    def latencies_ms(self) -> list:
        """Latency of the successful requests only; failures are counted in `errors`."""
        return sorted(s.latency * 1000 for s in self.samples if is_ok(s.status))

    def stats(self) -> dict:
        values = self.latencies_ms()
        stats = {
            "op": self.op,
            "concurrency": self.concurrency,
            "n": len(self.samples),
            "ok": len(values),
            "p50_ms": None,
            "p95_ms": None,
            "p99_ms": None,
            "max_ms": None,
            "mean_ms": None,
            "req_per_s": round(len(values) / self.wall, 1) if self.wall > 0 and values else None,
            "statuses": dict(self.statuses),
            "errors": dict(self.errors),
        }
        if values:
            cuts = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else [values[0]] * 99
            stats.update(
                p50_ms=round(cuts[49], 1),
                p95_ms=round(cuts[94], 1),
                p99_ms=round(cuts[98], 1),
                max_ms=round(values[-1], 1),
                mean_ms=round(statistics.fmean(values), 1),
            )
        polled = sum(1 for s in self.samples if s.polls)
        if any(s.outcome for s in self.samples):
            stats["outcomes"] = dict(Counter(s.outcome for s in self.samples if s.outcome))
            stats["turns_polled"] = polled
            stats["polls"] = sum(s.polls for s in self.samples)
        reference = REFERENCE.get((self.op, self.concurrency))
        if reference:
            metric, value = reference
            stats["reference"] = {"metric": metric, "value": value}
        stats.update(self.notes)
        return stats


# --------------------------------------------------------------------------------------------
# The ops: each takes (client, ctx, state) and returns one Sample
# --------------------------------------------------------------------------------------------


def timed(client: Client, method: str, path: str, body: dict | None = None, auth: bool = True) -> Sample:
    start = time.perf_counter()
    status, answer = client.request(method, path, body, auth)
    return Sample(time.perf_counter() - start, status, error_code(answer))


def op_health(client: Client, ctx: Context, state: dict) -> Sample:
    return timed(client, "GET", "/api/health/", auth=False)


def op_login(client: Client, ctx: Context, state: dict) -> Sample:
    credentials = {"username": ctx.user, "password": ctx.password}
    return timed(client, "POST", "/api/auth/token/", credentials, auth=False)


def op_list(client: Client, ctx: Context, state: dict) -> Sample:
    return timed(client, "GET", "/api/conversations/")


def op_detail(client: Client, ctx: Context, state: dict) -> Sample:
    return timed(client, "GET", f"/api/conversations/{ctx.detail_id}/")


def op_create(client: Client, ctx: Context, state: dict) -> Sample:
    start = time.perf_counter()
    status, body = client.request("POST", "/api/conversations/", {"title": "bench", "model_id": MODEL_ID})
    sample = Sample(time.perf_counter() - start, status, error_code(body))
    if is_ok(status) and isinstance(body, dict):
        ctx.remember(body.get("id"))
    return sample


def op_chat_new(client: Client, ctx: Context, state: dict) -> Sample:
    return chat_turn(client, ctx, None)


def op_chat_continue(client: Client, ctx: Context, state: dict) -> Sample:
    sample = chat_turn(client, ctx, state.get("conversation_id"))
    if sample.conversation_id:
        state["conversation_id"] = sample.conversation_id
    return sample


def setup_chat_continue(client: Client, ctx: Context, state: dict) -> None:
    """Each client thread continues its own conversation, started by one untimed turn."""
    sample = op_chat_continue(client, ctx, state)
    if not is_ok(sample.status) or not state.get("conversation_id"):
        raise SetupError(f"the first chat turn of a chat-continue client answered {sample.status} {sample.code}")


def chat_turn(client: Client, ctx: Context, conversation_id: str | None) -> Sample:
    """One chat turn as the console does it: POST /api/chat/, then poll while it is pending.

    The latency runs from the POST until the reply is known (inline, or by the poll that
    reports it completed). The console polls every second; we poll every 50 ms.
    """
    payload = {"message": CHAT_MESSAGE, "model_id": MODEL_ID, "protegrity_mode": PROTEGRITY_MODE}
    if conversation_id:
        payload["conversation_id"] = conversation_id
    start = time.perf_counter()
    status, body = client.request("POST", "/api/chat/", payload)
    if not is_ok(status):
        return Sample(time.perf_counter() - start, status, error_code(body))
    if not isinstance(body, dict):
        return Sample(time.perf_counter() - start, "bad-body")
    conversation = body.get("conversation_id")
    ctx.remember(conversation)
    outcome = body.get("status", "")
    polls = 0
    if outcome == "pending":
        deadline = start + ctx.poll_timeout
        while True:
            time.sleep(POLL_INTERVAL_S)
            poll_status, poll_body = client.request("GET", f"/api/chat/poll/{conversation}/")
            polls += 1
            if not is_ok(poll_status):
                return Sample(time.perf_counter() - start, poll_status, error_code(poll_body), "poll-error",
                              polls, conversation)
            if isinstance(poll_body, dict) and poll_body.get("status") == "completed":
                break
            if time.perf_counter() > deadline:
                return Sample(time.perf_counter() - start, "poll-timeout", "", outcome, polls, conversation)
    return Sample(time.perf_counter() - start, status, "", outcome, polls, conversation)


OPS: dict[str, Callable] = {
    "health": op_health,
    "login": op_login,
    "list": op_list,
    "detail": op_detail,
    "chat-new": op_chat_new,
    "chat-continue": op_chat_continue,
}
THREAD_SETUP: dict[str, Callable] = {"chat-continue": setup_chat_continue}


# --------------------------------------------------------------------------------------------
# The measuring loop
# --------------------------------------------------------------------------------------------


def measure(ctx: Context, name: str, op: Callable, concurrency: int, requests: int, warmup: int,
            thread_setup: Callable | None = None) -> Result:
    """Runs `requests` ops spread over `concurrency` client threads (whichever thread is free
    takes the next one). Each thread first does its setup and `warmup` uncounted ops on its
    own connection; the clock starts when all threads are ready."""
    remaining = [requests]
    lock = threading.Lock()
    ready = threading.Barrier(concurrency + 1)
    per_thread: list[list] = [[] for _ in range(concurrency)]
    clients: list[Client] = []
    problems: list[BaseException] = []

    def take() -> bool:
        with lock:
            if remaining[0] <= 0:
                return False
            remaining[0] -= 1
            return True

    def worker(index: int) -> None:
        client = ctx.client()
        clients.append(client)
        state: dict = {}
        try:
            if thread_setup:
                thread_setup(client, ctx, state)
            for _ in range(warmup):
                op(client, ctx, state)
        except BaseException as exc:  # reported by the main thread
            problems.append(exc)
            ready.abort()
            return
        try:
            ready.wait()
        except threading.BrokenBarrierError:
            return
        while take():
            per_thread[index].append(op(client, ctx, state))
        client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join()
        raise problems[0] if problems else SetupError(f"{name}: a client thread failed to start")
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    samples = [s for thread_samples in per_thread for s in thread_samples]
    notes = {}
    reconnects = sum(c.reconnects for c in clients)
    if reconnects:
        notes["reconnects"] = reconnects
    result = Result(name, concurrency, samples, wall, notes)
    log(f"  {name} c={concurrency}: {describe(result)}")
    return result


def describe(result: Result) -> str:
    s = result.stats()
    errors = format_errors(s["errors"])
    return f"n={s['n']} p50={fmt(s['p50_ms'])} ms p95={fmt(s['p95_ms'])} ms errors={errors}"


def run_parallel(ctx: Context, items: list, action: Callable, threads: int = SETUP_THREADS) -> Counter:
    """Setup/cleanup helper: `action(client, item)` for every item over `threads` connections;
    returns the statuses."""
    queue = list(items)
    lock = threading.Lock()
    statuses: Counter = Counter()

    def worker() -> None:
        client = ctx.client()
        while True:
            with lock:
                if not queue:
                    break
                item = queue.pop()
            status = action(client, item)
            with lock:
                statuses[str(status)] += 1
        client.close()

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, min(threads, len(queue))))]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return statuses


# --------------------------------------------------------------------------------------------
# Setup and cleanup
# --------------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def wait_for_stack(base_url: str, timeout: float, wait: float) -> None:
    """Fails clearly when /api/health/ does not answer {"status":"ok"} (after `wait` seconds)."""
    deadline = time.monotonic() + wait
    while True:
        client = Client(base_url, min(timeout, 10))
        status, body = client.request("GET", "/api/health/", auth=False)
        client.close()
        if status == 200 and isinstance(body, dict) and body.get("status") == "ok":
            return
        if time.monotonic() >= deadline:
            hint = "is it running? (make dev; --wait SECONDS to wait for a restart)"
            answer = "could not connect" if status == "conn-error" else f"GET /api/health/ answered {status}"
            raise SetupError(f"the stack at {base_url} is not healthy: {answer}; {hint}")
        time.sleep(2)


def login(ctx: Context) -> None:
    client = Client(ctx.base_url, ctx.timeout)
    status, body = client.request("POST", "/api/auth/token/", {"username": ctx.user, "password": ctx.password}, auth=False)
    client.close()
    if status != 200 or not isinstance(body, dict) or "access" not in body:
        raise SetupError(f"login as {ctx.user!r} failed: POST /api/auth/token/ answered {status} {body}")
    ctx.token = body["access"]


def conversation_count(ctx: Context) -> int:
    client = ctx.client()
    status, body = client.request("GET", "/api/conversations/")
    client.close()
    if status != 200 or not isinstance(body, dict):
        raise SetupError(f"GET /api/conversations/ answered {status} {body}")
    return int(body.get("count", 0))


def create_detail_conversation(ctx: Context) -> None:
    """A conversation holding exactly DETAIL_MESSAGES messages, user and assistant in turn."""
    client = ctx.client()
    status, body = client.request("POST", "/api/conversations/", {"title": "bench", "model_id": MODEL_ID})
    if status != 201 or not isinstance(body, dict):
        raise SetupError(f"POST /api/conversations/ answered {status} {body}")
    ctx.detail_id = body["id"]
    ctx.remember(ctx.detail_id)
    for i in range(DETAIL_MESSAGES):
        role = "user" if i % 2 == 0 else "assistant"
        message = {"role": role, "content": f"Benchmark message number {i + 1} of the detail conversation."}
        status, body = client.request("POST", f"/api/conversations/{ctx.detail_id}/messages/", message)
        if status != 201:
            raise SetupError(f"POST /api/conversations/{{id}}/messages/ answered {status} {body}")
    status, body = client.request("GET", f"/api/conversations/{ctx.detail_id}/")
    client.close()
    count = len(body.get("messages", [])) if isinstance(body, dict) else None
    if status != 200 or count != DETAIL_MESSAGES:
        raise SetupError(f"the detail conversation holds {count} messages (status {status}), not {DETAIL_MESSAGES}")


def create_conversations(ctx: Context, count: int) -> Counter:
    def create(client: Client, _item) -> str:
        sample = op_create(client, ctx, {})
        return f"{sample.status} {sample.code}".strip()

    statuses = run_parallel(ctx, range(count), create)
    ctx.note_setup(statuses)
    return statuses


def cleanup(ctx: Context, keep: bool) -> dict:
    """Deletes the conversations this run created (unless --keep)."""
    with ctx.lock:
        ids = sorted(ctx.created)
        ctx.created.clear()
    if keep or not ids:
        return {"conversations_created": len(ids)}
    log(f"deleting the {len(ids)} conversations this run created")

    def delete(client: Client, conversation_id: str) -> str:
        status, body = client.request("DELETE", f"/api/conversations/{conversation_id}/")
        return f"{status} {error_code(body)}".strip()

    statuses = run_parallel(ctx, ids, delete)
    ctx.note_setup(statuses)
    return {"conversations_created": len(ids), "cleanup_statuses": dict(statuses)}


def admin_command(template: str, repo: Path, args: list) -> str:
    quoted = " ".join(shlex.quote(a) for a in args)
    if "{args}" not in template:
        return f"{template} {quoted}"
    # The default goes through make: ARGS is one shell word that the recipe splits again.
    if template == DEFAULT_ADMIN_CMD:
        quoted = shlex.quote(quoted)
    return template.replace("{repo}", shlex.quote(str(repo))).replace("{args}", quoted)


def fresh_user(template: str, repo: Path) -> tuple[str, str]:
    """Creates a STANDARD user with the admin CLI; returns (username, password)."""
    username = f"bench_{secrets.token_hex(4)}"
    password = f"Bench-{secrets.token_hex(8)}"
    command = admin_command(template, repo, ["user", "add", username, "--password", password, "--role", "STANDARD"])
    log(f"creating user {username} with the admin CLI")
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SetupError(
            f"the admin CLI failed ({done.returncode}): {command}\n{done.stdout}{done.stderr}\n"
            "use --admin-cmd for a stack on other ports, or --user/--password of an existing user"
        )
    return username, password


def make_context(args, fresh: bool) -> Context:
    """Logs in as --user, or (when `fresh` and no --user was given) as a new user."""
    wait_for_stack(args.base_url, args.timeout, args.wait)
    if args.user:
        user, password = args.user, args.password or ""
    elif fresh:
        user, password = fresh_user(args.admin_cmd, args.repo)
    else:
        user, password = DEMO_USER, args.password or DEMO_PASSWORD
    ctx = Context(args.base_url, args.timeout, args.poll_timeout, user, password)
    login(ctx)
    return ctx


# --------------------------------------------------------------------------------------------
# Sub-commands
# --------------------------------------------------------------------------------------------


def cmd_api(args) -> dict:
    ctx = make_context(args, fresh=False)
    before = conversation_count(ctx)
    create_detail_conversation(ctx)
    log(f"api: user {ctx.user} had {before} conversations; detail conversation {ctx.detail_id}")
    results, skipped = [], []
    try:
        for name in args.ops:
            requests = args.requests or (CHAT_REQUESTS if name in CHAT_OPS else READ_REQUESTS)
            for concurrency in args.concurrency:
                if name == "list":
                    count = conversation_count(ctx)
                try:
                    result = measure(ctx, name, OPS[name], concurrency, requests, args.warmup, THREAD_SETUP.get(name))
                except SetupError as exc:
                    log(f"  {name} c={concurrency}: not measured: {exc}")
                    skipped.append(f"{name} c={concurrency}: {exc}")
                    continue
                if name == "list":
                    result.notes["conversations"] = count
                if name == "detail":
                    result.notes["messages"] = DETAIL_MESSAGES
                results.append(result)
    finally:
        info = cleanup(ctx, args.keep)
    info.update(user=ctx.user, conversations_before=before, skipped=skipped)
    return section("api", ctx, results, info)


def cmd_list_scale(args) -> dict:
    ctx = make_context(args, fresh=True)
    results, sizes = [], []
    try:
        for size in args.sizes:
            have = conversation_count(ctx)
            for _ in range(3):  # a create can fail (and a failed one can still have been stored)
                if have >= size:
                    break
                log(f"list-scale: creating {size - have} conversations to reach {size}")
                statuses = create_conversations(ctx, size - have)
                bad = {k: v for k, v in statuses.items() if not k.startswith("2")}
                if bad:
                    log(f"list-scale: creates failed: {bad}")
                have = conversation_count(ctx)
            if have != size:
                log(f"list-scale: the user has {have} conversations, not {size}")
            sizes.append(have)
            for concurrency in args.concurrency:
                result = measure(ctx, f"list@{have}", op_list, concurrency, args.requests or READ_REQUESTS, args.warmup)
                result.notes["conversations"] = have
                results.append(result)
    finally:
        info = cleanup(ctx, args.keep or not args.user)  # a fresh user's conversations stay
    info.update(user=ctx.user, sizes=sizes, ratios=scale_ratios(results, sizes))
    return section("list-scale", ctx, results, info)


def scale_ratios(results: list, sizes: list) -> list:
    """p50/p95 of the largest size over the smallest, per concurrency."""
    if len(sizes) < 2:
        return []
    ratios = []
    by_key = {(r.stats()["conversations"], r.concurrency): r.stats() for r in results}
    for concurrency in sorted({r.concurrency for r in results}):
        small, large = by_key.get((sizes[0], concurrency)), by_key.get((sizes[-1], concurrency))
        if not small or not large or not small["p50_ms"] or not large["p50_ms"]:
            continue
        ratios.append({
            "concurrency": concurrency,
            "from": sizes[0],
            "to": sizes[-1],
            "p50_ratio": round(large["p50_ms"] / small["p50_ms"], 2),
            "p95_ratio": round(large["p95_ms"] / small["p95_ms"], 2),
        })
    return ratios


def cmd_creates(args) -> dict:
    ctx = make_context(args, fresh=True)
    before = conversation_count(ctx)
    try:
        result = measure(ctx, "creates", op_create, args.threads, args.count, args.warmup)
    finally:
        info = cleanup(ctx, args.keep or not args.user)
    info.update(user=ctx.user, conversations_before=before)
    return section("creates", ctx, [result], info)


def cmd_turns(args) -> dict:
    ctx = make_context(args, fresh=False)
    client = ctx.client()
    state: dict = {}
    op = op_chat_continue if args.conversation == "continue" else op_chat_new
    samples, stuck = [], 0
    try:
        for _ in range(args.warmup):
            op(client, ctx, state)
        start = time.perf_counter()
        for i in range(args.turns):
            samples.append(op(client, ctx, state))
            if samples[-1].status == 409 and state.get("conversation_id"):
                # As a user would: wait for the turn in progress, or give up and start a new chat.
                if not settle(client, ctx, state["conversation_id"]):
                    stuck += 1
                    state.pop("conversation_id")
            if (i + 1) % 100 == 0:
                log(f"  turns: {i + 1}/{args.turns}, last {samples[-1].latency * 1000:.0f} ms, status {samples[-1].status}")
        wall = time.perf_counter() - start
        client.close()
    finally:
        info = cleanup(ctx, args.keep)
    result = Result(f"turn ({args.conversation})", 1, samples, wall)
    irregular = [{"turn": i + 1, "status": s.status, "code": s.code, "ms": round(s.latency * 1000)}
                 for i, s in enumerate(samples) if not is_ok(s.status)]
    info.update(user=ctx.user, conversation=args.conversation, turn_statuses=turn_categories(samples),
                drift=drift(samples), stuck_conversations=stuck, irregular_turns=irregular[:100])
    return section("turns", ctx, [result], info)


def settle(client: Client, ctx: Context, conversation_id: str) -> bool:
    """After a 409: polls until the turn in progress completes; False after --poll-timeout."""
    deadline = time.perf_counter() + ctx.poll_timeout
    while time.perf_counter() < deadline:
        status, body = client.request("GET", f"/api/chat/poll/{conversation_id}/")
        if status == 200 and isinstance(body, dict) and body.get("status") == "completed":
            return True
        time.sleep(POLL_INTERVAL_S)
    return False


def turn_categories(samples: list) -> dict:
    """200 completed inline / 200 pending-then-completed / 200 blocked / 409 / 503 / other."""
    categories: Counter = Counter()
    for s in samples:
        if s.status == 200 and s.outcome == "pending":
            categories["200 pending-then-completed"] += 1
        elif s.status == 200 and s.outcome == "completed":
            categories["200 completed"] += 1
        elif s.status == 200:
            categories[f"200 {s.outcome or 'unknown'}"] += 1
        elif s.status in (409, 503):
            categories[f"{s.status} {s.code}".strip()] += 1
        else:
            categories[f"other ({s.status} {s.code})".replace(" )", ")")] += 1
    return dict(categories)


def drift(samples: list) -> dict:
    """p50 of the first and the last tenth of the run: does a growing history slow turns down?"""
    ok = [s.latency * 1000 for s in samples if is_ok(s.status)]
    tenth = len(ok) // 10
    if tenth < 2:
        return {}
    return {
        "first_tenth_p50_ms": round(statistics.median(ok[:tenth]), 1),
        "last_tenth_p50_ms": round(statistics.median(ok[-tenth:]), 1),
    }


def section(name: str, ctx: Context, results: list, info: dict) -> dict:
    info["setup_errors"] = dict(ctx.setup_errors)
    failed = (any(r.failed for r in results) or bool(info.get("skipped"))
              or any(is_failure(key) for key in ctx.setup_errors))
    return {"command": name, "results": [r.stats() for r in results], "info": info, "failed": failed}


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def format_errors(errors: dict) -> str:
    if not errors:
        return "0"
    return ", ".join(f"{code}×{count}" for code, count in sorted(errors.items()))


def format_reference(stats: dict) -> str:
    reference = stats.get("reference")
    if not reference:
        return ""
    metric, value = reference["metric"], reference["value"]
    ours = stats.get(metric)
    if metric == "req_per_s":
        text = f"{value:.0f} req/s"
    else:
        text = f"p50 {fmt(value)} ms"
    if ours:
        text += f" (ours/ref {ours / value:.2f})"
    return text


def print_section(section_result: dict) -> None:
    name, info = section_result["command"], section_result["info"]
    print(f"\n## {name}\n")
    print("| op | concurrency | n | p50 ms | p95 ms | p99 ms | max ms | req/s | errors | reference (Django) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for s in section_result["results"]:
        print(f"| {s['op']} | {s['concurrency']} | {s['n']} | {fmt(s['p50_ms'])} | {fmt(s['p95_ms'])} | "
              f"{fmt(s['p99_ms'])} | {fmt(s['max_ms'])} | {fmt(s['req_per_s'])} | {format_errors(s['errors'])} | "
              f"{format_reference(s)} |")
    print()
    for line in notes(section_result):
        print(f"- {line}")


def notes(section_result: dict) -> list:
    info, lines = section_result["info"], []
    lines.append(f"user `{info['user']}`")
    if "conversations_before" in info:
        lines.append(f"the user had {plural(info['conversations_before'], 'conversation')} before the run")
    for s in section_result["results"]:
        if "conversations" in s and not s["op"].startswith("list@"):
            lines.append(f"{s['op']} c={s['concurrency']}: the user had {plural(s['conversations'], 'conversation')}")
        if "turns_polled" in s:
            lines.append(f"{s['op']} c={s['concurrency']}: {s['turns_polled']} of {s['n']} turns needed polling "
                         f"({s['polls']} polls); outcomes {s['outcomes']}")
        if "reconnects" in s:
            lines.append(f"{s['op']} c={s['concurrency']}: {s['reconnects']} kept-alive connections were closed by the server")
    if info.get("setup_errors"):
        lines.append(f"**setup/cleanup requests failed** (not in the table): {format_errors(info['setup_errors'])}")
    for skipped in info.get("skipped", []):
        lines.append(f"**not measured** {skipped}")
    for ratio in info.get("ratios", []):
        lines.append(f"c={ratio['concurrency']}: {ratio['from']} → {ratio['to']} conversations: "
                     f"p50 ×{ratio['p50_ratio']}, p95 ×{ratio['p95_ratio']}")
    if info.get("turn_statuses"):
        lines.append("turn statuses: " + ", ".join(f"{k}: {v}" for k, v in info["turn_statuses"].items()))
    if info.get("irregular_turns"):
        shown = ", ".join(f"#{e['turn']} {e['status']} {e['code']}".strip() for e in info["irregular_turns"][:10])
        lines.append(f"failed turns in order: {shown}")
    if info.get("stuck_conversations"):
        lines.append(f"{info['stuck_conversations']} times a 409 turn stayed pending past --poll-timeout; "
                     "the run went on in a new conversation")
    if info.get("drift"):
        d = info["drift"]
        lines.append(f"p50 of the first tenth {fmt(d['first_tenth_p50_ms'])} ms, of the last tenth {fmt(d['last_tenth_p50_ms'])} ms")
    created = info.get("conversations_created")
    if created is not None:
        cleaned = info.get("cleanup_statuses")
        lines.append(plural(created, "conversation") + " created" + (f", deleted afterwards: {cleaned}" if cleaned else ", kept"))
    return lines


def git_commit(repo: Path) -> dict:
    def git(*argv) -> str:
        done = subprocess.run(["git", "-C", str(repo), *argv], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    return {"commit": git("rev-parse", "--short", "HEAD") or None, "dirty": bool(git("status", "--porcelain"))}


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def int_list(text: str) -> list:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a comma list of integers, not {text!r}")
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, not {text!r}")
    return values


def op_list_arg(text: str) -> list:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in OPS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown ops {unknown}; known: {', '.join(OPS)}")
    return names


def parse_args(argv: list) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--base-url", default=DEFAULT_BASE_URL, help="the API (default %(default)s)")
    common.add_argument("--user", help=f"log in as this user (api/turns default: {DEMO_USER}; "
                                       "list-scale/creates default: a fresh user from the admin CLI)")
    common.add_argument("--password", help="the password of --user")
    common.add_argument("--admin-cmd", default=DEFAULT_ADMIN_CMD,
                        help="command running the admin CLI against the stack; {args} is replaced by the "
                             "CLI arguments (appended when absent). Default: %(default)s")
    common.add_argument("--warmup", type=int, default=3, help="uncounted requests per client thread (default 3)")
    common.add_argument("--timeout", type=float, default=60.0, help="per-request timeout, seconds (default 60)")
    common.add_argument("--poll-timeout", type=float, default=60.0,
                        help="give up on a pending turn after this many seconds (default 60)")
    common.add_argument("--wait", type=float, default=0.0,
                        help="wait up to this many seconds for /api/health/ before giving up (default 0)")
    common.add_argument("--repo", type=Path, default=DEFAULT_REPO,
                        help="checkout of the measured stack, for its git commit and the admin CLI (default %(default)s)")
    common.add_argument("--keep", action="store_true", help="keep the conversations the run created")
    common.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")

    levels = argparse.ArgumentParser(add_help=False)
    levels.add_argument("--concurrency", type=int_list, default=[1, 8], help="client threads, comma list (default 1,8)")
    levels.add_argument("--requests", type=int, help=f"requests per op and level (default {READ_REQUESTS} "
                                                     f"for reads, {CHAT_REQUESTS} for chat turns)")
    levels.add_argument("--ops", type=op_list_arg, default=list(OPS), help="api ops to run (default all)")
    scale = argparse.ArgumentParser(add_help=False)
    scale.add_argument("--sizes", type=int_list, default=[10, 1000], help="conversation counts (default 10,1000)")
    creates = argparse.ArgumentParser(add_help=False)
    creates.add_argument("--count", type=int, default=1000, help="conversations to create (default 1000)")
    creates.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    turns = argparse.ArgumentParser(add_help=False)
    turns.add_argument("--turns", type=int, default=1000, help="chat turns (default 1000)")
    turns.add_argument("--conversation", choices=("continue", "new"), default="continue",
                       help="one conversation for the whole run (default) or a new one per turn")

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("api", parents=[common, levels], help="health/login/list/detail/chat at each concurrency")
    sub.add_parser("list-scale", parents=[common, levels, scale], help="list latency at 10 and 1,000 conversations")
    sub.add_parser("creates", parents=[common, creates], help="1,000 creates by 8 client threads")
    sub.add_parser("turns", parents=[common, turns], help="a long sequential run of chat turns")
    sub.add_parser("all", parents=[common, levels, scale, creates, turns], help="everything above")
    args = parser.parse_args(argv)
    if args.user and args.password is None:
        parser.error("--user needs --password")
    return args


COMMANDS = {"api": cmd_api, "list-scale": cmd_list_scale, "creates": cmd_creates, "turns": cmd_turns}


def main(argv: list) -> int:
    args = parse_args(argv)
    names = list(COMMANDS) if args.command == "all" else [args.command]
    sections = []
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        for name in names:
            log(f"== {name}")
            sections.append(COMMANDS[name](args))
            print_section(sections[-1])
            sys.stdout.flush()
    except SetupError as exc:
        log(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        if args.json and sections:
            report = {
                "started_at": started,
                "base_url": args.base_url,
                "argv": argv,
                **git_commit(args.repo),
                "cores": os.cpu_count(),
                "sections": sections,
            }
            Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
            log(f"wrote {args.json}")
    machine = git_commit(args.repo)
    print(f"\nstack commit {machine['commit']}{' (dirty tree)' if machine['dirty'] else ''}, {os.cpu_count()} cores")
    failed = [s["command"] for s in sections if s["failed"]]
    if failed:
        log(f"FAILED: 5xx, connection errors or timeouts in {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
