"""Sends the Lambda calls of moto's Step Functions interpreter to `cargo lambda watch`.

moto runs Task states through its own Lambda, which needs Docker. We replace the `boto_client_for`
that moto's Lambda task code uses with one that returns, for the `lambda` service, a client posting
to the watch's Invoke API (`POST /2015-03-31/functions/<name>/invocations`). The watch reports a
function error as HTTP 500 with no `X-Amz-Function-Error` header; we turn it into the `FunctionError`
that real Lambda returns, so the interpreter names the error after the payload's `errorType` and ASL
`Retry`/`Catch` on that name work as in AWS.
"""

import io
import json
import logging
import threading
import time
import urllib.error
import urllib.request

LOG = logging.getLogger("lambda-bridge")

# Real Lambda's longest run; a Task's own TimeoutSeconds is enforced by the interpreter.
INVOKE_TIMEOUT_SECONDS = 900


def bare_function_name(function_name: str) -> str:
    """`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`, `<account>:function:<name>`
    or `<name>[:<qualifier>]` → `<name>` (the watch knows functions by bare binary name only)."""
    if ":function:" in function_name:
        function_name = function_name.split(":function:", 1)[1]
    return function_name.split(":", 1)[0]


def _error_payload(status: int, body: bytes) -> bytes:
    """The watch's error body when it is a Lambda error object, else one in Lambda's shape."""
    try:
        parsed = json.loads(body)
        if isinstance(parsed, dict) and "errorType" in parsed:
            return body
    except ValueError:
        pass
    error_type = "Lambda.ResourceNotFoundException" if status == 404 else "Lambda.ServiceException"
    message = body.decode("utf-8", "replace")[:2000]
    return json.dumps({"errorType": error_type, "errorMessage": f"HTTP {status}: {message}"}).encode()


class WatchLambdaClient:
    """The slice of a boto3 Lambda client that moto's interpreter calls: `invoke`."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")

    def _post(self, name: str, payload: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(
            f"{self.base_url}/2015-03-31/functions/{name}/invocations",
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=INVOKE_TIMEOUT_SECONDS) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def invoke(self, FunctionName, Payload=b"{}", InvocationType="RequestResponse", **_ignored):
        name = bare_function_name(FunctionName)
        if isinstance(Payload, str):
            Payload = Payload.encode("utf-8")
        if InvocationType == "Event":
            threading.Thread(target=self._post, args=(name, Payload), daemon=True).start()
            return {"StatusCode": 202, "Payload": io.BytesIO(b"")}

        started = time.monotonic()
        status, body = self._post(name, Payload)
        elapsed_ms = (time.monotonic() - started) * 1000
        # Never log payloads: they carry user content.
        LOG.info("invoke %s -> HTTP %s in %.0f ms", name, status, elapsed_ms)
        response = {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
        if status != 200:
            response["FunctionError"] = "Unhandled"
            body = _error_payload(status, body)
        response["Payload"] = io.BytesIO(body)
        return response


def install(watch_url: str) -> None:
    """Patches moto so Lambda Task states (`arn:aws:lambda:...:function:<name>` and
    `arn:aws:states:::lambda:invoke`) call the watch at `watch_url`."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    moto_client_for = lambda_eval_utils.boto_client_for
    client = WatchLambdaClient(watch_url)

    def client_for(region, service, state_credentials=None):
        if service == "lambda":
            return client
        return moto_client_for(region=region, service=service, state_credentials=state_credentials)

    lambda_eval_utils.boto_client_for = client_for
