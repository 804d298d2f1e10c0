#!/usr/bin/env python3
"""The local AWS emulator: moto's server (DynamoDB, Step Functions, ...) with Step Functions
executions enabled and their Lambda calls bridged to `cargo lambda watch` (lambda_bridge.py).
moto keeps everything in memory, so the table and the state machines are created at every start.

    emulator.py --port 5000 --watch-url http://127.0.0.1:8000 --table pai-local --ready-file F

Writes F once everything exists (scripts/stack.sh waits for it); stops on SIGTERM/SIGINT.
"""

import argparse
import json
import logging
import os
import signal
import sys
import threading
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lambda_bridge  # noqa: E402
import resources  # noqa: E402


def serialize_dynamodb(app):
    """One DynamoDB request at a time. moto's DynamoDB backend is not thread-safe: concurrent
    transactions fail with "dictionary changed size during iteration". Other services (Step
    Functions executions call our functions, which call DynamoDB) stay concurrent, and the lock
    is held for one DynamoDB request only, so nothing can wait on itself."""
    lock = threading.Lock()

    def wrapped(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with lock:
                # Materialize the body inside the lock: moto works while the iterable is read.
                return list(app(environ, start_response))
        return app(environ, start_response)

    return wrapped


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--watch-url", required=True, help="base URL of cargo lambda watch")
    parser.add_argument("--table", default="pai-local")
    parser.add_argument("--ready-file", type=Path)
    args = parser.parse_args()

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not os.environ.get("PAI_EMULATOR_VERBOSE"):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    log = logging.getLogger("emulator")

    # moto's interpreter reaches other services (e.g. a DynamoDB task) through this port.
    os.environ["MOTO_PORT"] = str(args.port)
    lambda_bridge.install(args.watch_url)

    from moto.server import DomainDispatcherApplication, create_backend_app
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    try:
        server = make_server(
            args.host,
            args.port,
            serialize_dynamodb(DomainDispatcherApplication(create_backend_app)),
            threaded=True,
            request_handler=MotoRequestHandler,
        )
    except OSError as error:
        log.error("cannot listen on %s:%s: %s", args.host, args.port, error)
        return 1
    threading.Thread(target=server.serve_forever, daemon=True).start()

    endpoint = f"http://{args.host}:{args.port}"
    # Before creating machines: moto keeps executable machines in a separate backend.
    config = json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode()
    urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/config", data=config, method="POST"), timeout=10
    ).close()
    resources.create_table(endpoint, args.table)
    machines = resources.create_state_machines(endpoint, args.table)
    log.info(
        "ready on %s: table %s, state machines [%s], Lambda calls -> %s",
        endpoint, args.table, ", ".join(machines), args.watch_url,
    )
    if args.ready_file:
        args.ready_file.write_text(endpoint + "\n")

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
