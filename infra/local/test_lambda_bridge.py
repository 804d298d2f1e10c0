"""Runs state machines in the real emulator (emulator.py) and checks that their Lambda Task states
reach the watch's Invoke API, with results passed on and errors named after `errorType` so that
ASL Retry/Catch match them.

By default a small fake stands in for `cargo lambda watch` (a third-party server); to check the real
thing, start `cargo lambda watch` with a lambda_runtime function that follows the probe protocol below
and set BRIDGE_WATCH_URL (and BRIDGE_FUNCTION to its name).

Probe protocol: input {"fail": "<ErrorType>"} → function error of that type; else {"value": n} →
{"value": n + 1}.

    .venv/bin/python -m unittest discover -s infra/local -p 'test_*.py'
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3

HERE = Path(__file__).resolve().parent
FUNCTION = os.environ.get("BRIDGE_FUNCTION", "probe")
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}"


class FakeWatch(BaseHTTPRequestHandler):
    """The watch's Invoke API: 200 with the result, 500 with the error object, 404 when unknown."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        if self.path != f"/2015-03-31/functions/{FUNCTION}/invocations":
            status, answer = 404, {"detail": "that function doesn't exist", "title": "Missing function"}
        elif "fail" in body:
            status, answer = 500, {"errorType": body["fail"], "errorMessage": "probe failure"}
        else:
            status, answer = 200, {"value": body.get("value", 0) + 1}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_):
        pass


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LambdaBridgeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        watch_url = os.environ.get("BRIDGE_WATCH_URL")
        cls.fake = None
        if not watch_url:
            cls.fake = ThreadingHTTPServer(("127.0.0.1", 0), FakeWatch)
            threading.Thread(target=cls.fake.serve_forever, daemon=True).start()
            watch_url = f"http://127.0.0.1:{cls.fake.server_address[1]}"
        cls.tmp = tempfile.TemporaryDirectory()
        ready = Path(cls.tmp.name) / "ready"
        port = free_port()
        cls.emulator = subprocess.Popen(
            [sys.executable, str(HERE / "emulator.py"), "--port", str(port),
             "--watch-url", watch_url, "--table", "bridge-test", "--ready-file", str(ready)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while not ready.exists():
            if cls.emulator.poll() is not None or time.monotonic() > deadline:
                cls.tearDownClass()
                raise RuntimeError("the emulator did not start")
            time.sleep(0.1)
        cls.sfn = boto3.client(
            "stepfunctions", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
        )

    @classmethod
    def tearDownClass(cls):
        cls.emulator.terminate()
        cls.emulator.wait(timeout=10)
        cls.emulator.stderr.close()
        if cls.fake:
            cls.fake.shutdown()
        cls.tmp.cleanup()

    def run_machine(self, states, start_at, execution_input=None):
        """Creates a machine from `states`, runs it, returns (describe_execution, history events)."""
        arn = self.sfn.create_state_machine(
            name=f"bridge-{uuid.uuid4().hex[:12]}",
            definition=json.dumps({"StartAt": start_at, "States": states}),
            roleArn="arn:aws:iam::123456789012:role/test",
            type="EXPRESS",
        )["stateMachineArn"]
        execution = self.sfn.start_execution(
            stateMachineArn=arn, name=str(uuid.uuid4()), input=json.dumps(execution_input or {})
        )["executionArn"]
        deadline = time.monotonic() + 60
        while True:
            described = self.sfn.describe_execution(executionArn=execution)
            if described["status"] != "RUNNING":
                break
            self.assertLess(time.monotonic(), deadline, "execution still running after 60 s")
            time.sleep(0.2)
        events = self.sfn.get_execution_history(executionArn=execution)["events"]
        return described, events

    def test_task_result_is_the_function_result(self):
        described, _ = self.run_machine(
            {"Call": {"Type": "Task", "Resource": FUNCTION_ARN, "End": True}},
            "Call", {"value": 41},
        )
        self.assertEqual(described["status"], "SUCCEEDED")
        self.assertEqual(json.loads(described["output"])["value"], 42)

    def test_lambda_invoke_integration_returns_the_payload(self):
        described, _ = self.run_machine(
            {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": FUNCTION_ARN, "Payload": {"value.$": "$.n"}},
                    "OutputPath": "$.Payload",
                    "End": True,
                }
            },
            "Call", {"n": 6},
        )
        self.assertEqual(described["status"], "SUCCEEDED")
        self.assertEqual(json.loads(described["output"])["value"], 7)

    def test_retry_and_catch_match_the_error_type(self):
        described, events = self.run_machine(
            {
                "Call": {
                    "Type": "Task",
                    "Resource": FUNCTION_ARN,
                    "Retry": [
                        {"ErrorEquals": ["SomethingElse"], "MaxAttempts": 5},
                        {"ErrorEquals": ["Throttled"], "IntervalSeconds": 1, "MaxAttempts": 2,
                         "BackoffRate": 1.0},
                    ],
                    "Catch": [
                        {"ErrorEquals": ["SomethingElse"], "Next": "Wrong"},
                        {"ErrorEquals": ["Throttled"], "ResultPath": "$.error", "Next": "Caught"},
                    ],
                    "End": True,
                },
                "Wrong": {"Type": "Fail", "Error": "WrongCatcher"},
                "Caught": {"Type": "Pass", "End": True},
            },
            "Call", {"fail": "Throttled"},
        )
        self.assertEqual(described["status"], "SUCCEEDED")
        self.assertEqual(json.loads(described["output"])["error"]["Error"], "Throttled")
        attempts = [e for e in events if e["type"] == "LambdaFunctionScheduled"]
        self.assertEqual(len(attempts), 3, "one call and two retries")

    def test_uncaught_error_fails_the_execution_with_its_name(self):
        described, _ = self.run_machine(
            {
                "Call": {
                    "Type": "Task",
                    "Resource": FUNCTION_ARN,
                    "Catch": [{"ErrorEquals": ["Throttled"], "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Pass", "End": True},
            },
            "Call", {"fail": "ModelUnavailable"},
        )
        self.assertEqual(described["status"], "FAILED")
        self.assertEqual(described.get("error"), "ModelUnavailable")

    def test_unknown_function_is_a_named_task_failure(self):
        described, _ = self.run_machine(
            {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:no-such-function",
                    "Catch": [{"ErrorEquals": ["Lambda.ResourceNotFoundException"],
                               "ResultPath": "$.error", "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Pass", "End": True},
            },
            "Call",
        )
        self.assertEqual(described["status"], "SUCCEEDED")
        self.assertEqual(
            json.loads(described["output"])["error"]["Error"], "Lambda.ResourceNotFoundException"
        )


if __name__ == "__main__":
    unittest.main()
