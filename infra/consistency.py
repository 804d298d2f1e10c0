#!/usr/bin/env python3
"""Checks that the deployable infrastructure and the local stack describe the same application.

    infra/consistency.py            exit 1 and list every mismatch

1. Routes: infra/routes.txt is the one list. The template's HTTP API routes and the local router
   (`[workspace.metadata.lambda.watch.router]` in Cargo.toml) must both equal what it implies:
   each `METHOD PATH FUNCTION`; every other method of a listed path → method-not-allowed (`ANY
   <path>` in AWS, each other method locally); every unmatched request → not-found (`$default`
   in AWS, the catch-all locally). Locally each path is listed with and without the trailing
   slash; in AWS only without (HTTP APIs route `/x/` to `/x` and refuse route keys ending in `/`).
   Locally OPTIONS of every path goes to cors-preflight; in AWS the HTTP API's CORS configuration
   answers preflights before any route, so cors-preflight is the one local-only binary.
2. Functions: every binary in functions/src/bin has exactly one function resource (logical id
   `<PascalName>Function`, `BuildMethod: rust-cargolambda`, `Binary: <name>`) and vice versa,
   each with an errors/throttles alarm.
3. State machines: every infra/statemachines/*.asl.json is deployed by one state machine resource
   and vice versa; every Task state (nested Map/Parallel states included) invokes a function
   through a `${<PascalName>FunctionArn}` substitution that the template maps to that function,
   whose binary exists; the state machine may invoke exactly those functions.
4. Error names: every name in the `ErrorEquals` of a `Retry` or `Catch` (nested Map/Parallel
   states included) is a name the Rust code emits, a documented Step Functions built-in
   (`States.*`) or a Lambda service error (`Lambda.*`). The emitted names are the string
   literals in the body of every `fn error_type(&self) -> &'static str` under core/src and
   functions/src (what the functions put in the Lambda `errorType`). Every emitted name is named
   by some state machine, or is in UNMATCHED_BY_NAME with the reason it is left to a
   `States.ALL` catch or to failing the execution.
"""

import difflib
import json
import re
import sys
import tomllib
from pathlib import Path

from cfnlint.decode import decode

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
NOT_FOUND = "not-found"
METHOD_NOT_ALLOWED = "method-not-allowed"
DEFAULT_ROUTE = ("ANY", "$default", NOT_FOUND)
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
PREFLIGHT = "cors-preflight"
# Binaries that only the local router uses (see the module docstring).
LOCAL_ONLY = {PREFLIGHT}
# Where the `fn error_type` functions whose names the state machines match may live.
RUST_SOURCES = ("core/src", "functions/src")
# The error names Step Functions itself raises (Amazon States Language, "Error names").
STATES_ERRORS = frozenset({
    "States.ALL",
    "States.Timeout",
    "States.TaskFailed",
    "States.Permissions",
    "States.ResultPathMatchFailure",
    "States.ParameterPathFailure",
    "States.BranchFailed",
    "States.NoChoiceMatched",
    "States.IntrinsicFailure",
    "States.ExceedToleratedFailureThreshold",
    "States.ItemReaderFailed",
    "States.ResultWriterFailed",
    "States.QueryEvaluationError",
    "States.HeartbeatTimeout",
    "States.Runtime",
    "States.DataLimitExceeded",
})
# The errors of the Lambda service (not of our code) that a Lambda task can fail with.
LAMBDA_ERRORS = frozenset({
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "Lambda.Unknown",
    "Lambda.ClientExecutionTimeoutException",
})
# Emitted error names that no Retry/Catch names on purpose, and why. Each must still be emitted
# and not be named by any state machine (then it belongs there, not here).
UNMATCHED_BY_NAME = {
    # chat-turn: retrying the same provider cannot help; the CallModel<n> `States.ALL` catch falls
    # back to the next provider, the last one's (and FinalAnswer's) to RecordFailure, which words
    # every `Provider*` error as a provider failure (FailureKind::from_error_name).
    "ProviderRejected": "4xx from the provider: States.ALL falls back to the next provider",
    "ProviderMalformed": "unreadable answer: States.ALL falls back to the next provider",
    "ProviderNotConfigured": "provider not enabled: States.ALL falls back to the next provider",
    # conversation-purge has no Catch: a bad input or a conversation that is not deleted fails
    # the execution unretried, and ConversationPurgeFailedAlarm fires (docs/deploy.md).
    "InvalidPurgeInput": "not retried: fails the purge execution (alarm)",
    "ConversationNotDeleted": "not retried: fails the purge execution (alarm)",
}


def pascal(name):
    return "".join(part.capitalize() for part in name.split("-"))


class Paths:
    """Where the checked files live (tests point it at modified copies)."""

    def __init__(self, root=ROOT):
        self.root = Path(root)
        self.routes = self.root / "infra" / "routes.txt"
        self.cargo_toml = self.root / "Cargo.toml"
        self.template = self.root / "infra" / "template.yaml"
        self.bins = self.root / "functions" / "src" / "bin"
        self.state_machines = self.root / "infra" / "statemachines"
        self.rust_sources = [self.root / relative for relative in RUST_SOURCES]


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


def load_routes(path):
    """[(method, path without trailing slash, function)] from routes.txt."""
    routes = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 3 or fields[0] not in METHODS:
            raise ValueError(f"{path.name}:{number}: expected METHOD PATH FUNCTION: {line!r}")
        method, route, function = fields
        routes.append((method, route.rstrip("/") or "/", function))
    return routes


def expected_routes(routes):
    """The AWS-shaped route set routes.txt implies."""
    expected = {(m, p, f) for m, p, f in routes}
    expected |= {("ANY", p, METHOD_NOT_ALLOWED) for _, p, _ in routes}
    expected.add(DEFAULT_ROUTE)
    return expected


def template_routes(template, problems):
    """{(METHOD, path, binary)} of the HTTP API events of every function."""
    found = set()
    for logical, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        binary = function_binary(resource)
        for event_name, event in (resource.get("Properties", {}).get("Events") or {}).items():
            if event.get("Type") != "HttpApi":
                continue
            props = event.get("Properties", {})
            where = f"template: {logical}.Events.{event_name}"
            if props.get("ApiId") != {"Ref": "HttpApi"}:
                problems.append(f"{where}: not on the HttpApi resource")
            path, method = props.get("Path", ""), str(props.get("Method", "")).upper()
            if path != "$default" and path.endswith("/"):
                problems.append(f"{where}: HTTP API paths cannot end with '/': {path}")
            found.add((method, path, binary))
    return found


def local_routes(cargo_toml, problems):
    """The local router folded into the AWS shape, checking its local-only conventions."""
    manifest = tomllib.loads(cargo_toml.read_text())
    router = (
        manifest.get("workspace", {}).get("metadata", {}).get("lambda", {}).get("watch", {})
    ).get("router")
    if not router:
        problems.append("Cargo.toml: no [workspace.metadata.lambda.watch.router] (run `make routes`)")
        return set()

    def methods_of(path):
        entry = router[path]
        if isinstance(entry, str):
            return entry
        return {item["method"].upper(): item["function"] for item in entry}

    found = set()
    bases = {}
    for path in router:
        if path in ("/", "/{*rest}"):
            target = methods_of(path)
            if target != NOT_FOUND:
                problems.append(f"local router: {path} goes to {target}, not {NOT_FOUND}")
            continue
        bases.setdefault(path.rstrip("/") or "/", []).append(path)
    if "/{*rest}" in router:
        found.add(DEFAULT_ROUTE)
    else:
        problems.append("local router: no catch-all /{*rest} → not-found")

    for base, forms in sorted(bases.items()):
        if sorted(forms) != sorted({base, base + "/"}):
            problems.append(f"local router: {base} is not listed both with and without '/'")
        tables = [methods_of(p) for p in forms]
        if any(isinstance(t, str) for t in tables):
            problems.append(f"local router: {base} sends every method to one function")
            continue
        if any(t != tables[0] for t in tables):
            problems.append(f"local router: {base} and {base}/ differ")
        table = tables[0]
        missing = [m for m in METHODS if m not in table]
        if missing:
            problems.append(f"local router: {base} leaves {', '.join(missing)} to the emulator's page")
        if table.get("OPTIONS") != PREFLIGHT:
            problems.append(f"local router: OPTIONS {base} does not go to {PREFLIGHT}")
        for method, function in table.items():
            if method == "OPTIONS":
                continue
            if function == METHOD_NOT_ALLOWED:
                found.add(("ANY", base, METHOD_NOT_ALLOWED))
            else:
                found.add((method, base, function))
    return found


def compare(name, actual, expected, problems):
    def show(route):
        return " ".join(route)

    for route in sorted(expected - actual):
        problems.append(f"{name}: missing route {show(route)}")
    for route in sorted(actual - expected):
        problems.append(f"{name}: route not in infra/routes.txt: {show(route)}")


# ---------------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------------


def function_binary(resource):
    return (resource.get("Metadata") or {}).get("BuildProperties", {}).get("Binary")


def binaries(bins_dir):
    names = {p.stem for p in bins_dir.glob("*.rs")}
    names |= {p.parent.name for p in bins_dir.glob("*/main.rs")}
    return names


def check_functions(template, bins, problems):
    """{binary: logical id} of the template's functions; records mismatches."""
    resources = template["Resources"]
    by_binary = {}
    for logical, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        binary = function_binary(resource)
        where = f"template: {logical}"
        if (resource.get("Metadata") or {}).get("BuildMethod") != "rust-cargolambda":
            problems.append(f"{where}: Metadata.BuildMethod is not rust-cargolambda")
        if not binary:
            problems.append(f"{where}: no Metadata.BuildProperties.Binary")
            continue
        if binary in by_binary:
            problems.append(f"{where}: binary {binary} already built by {by_binary[binary]}")
        by_binary[binary] = logical
        if logical != pascal(binary) + "Function":
            problems.append(f"{where}: should be named {pascal(binary)}Function after {binary}")
        alarm = resources.get(logical + "Alarm", {})
        if logical not in json.dumps(alarm.get("Properties", {}).get("Metrics", [])):
            problems.append(f"{where}: no {logical}Alarm on its errors and throttles")
    for binary in sorted(bins - by_binary.keys() - LOCAL_ONLY):
        problems.append(f"functions/src/bin/{binary}.rs has no function resource in the template")
    for binary in sorted(by_binary.keys() - bins):
        problems.append(f"template: {by_binary[binary]} builds {binary}, which is not a binary")
    return by_binary


# ---------------------------------------------------------------------------------------------
# State machines
# ---------------------------------------------------------------------------------------------


def all_states(states, prefix=""):
    """(state path, state) of every state, descending into Map and Parallel states."""
    for name, state in states.items():
        path = f"{prefix}{name}"
        yield path, state
        kind = state.get("Type")
        if kind == "Map":
            inner = state.get("ItemProcessor") or state.get("Iterator") or {}
            yield from all_states(inner.get("States", {}), f"{path}/")
        elif kind == "Parallel":
            for i, branch in enumerate(state.get("Branches", [])):
                yield from all_states(branch.get("States", {}), f"{path}[{i}]/")


def task_states(states, prefix=""):
    """(state path, state) of every Task, descending into Map and Parallel states."""
    for path, state in all_states(states, prefix):
        if state.get("Type") == "Task":
            yield path, state


def task_placeholder(state):
    """The `${Name}` a Lambda task invokes, or None when it names no substitution."""
    resource = state.get("Resource", "")
    target = resource
    if resource.startswith(LAMBDA_INVOKE):
        target = (state.get("Parameters") or {}).get("FunctionName", "")
    match = re.fullmatch(r"\$\{([A-Za-z0-9_]+)\}", str(target))
    return match.group(1) if match else None


def substitution_target(value):
    """The logical id a DefinitionSubstitutions value points at (GetAtt X.Arn or Ref X)."""
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            if isinstance(target, str):
                target = target.split(".", 1)
            if len(target) == 2 and target[1] == "Arn":
                return target[0]
        if "Ref" in value:
            return value["Ref"]
    return None


def invoke_policy_targets(resource):
    targets = set()
    for policy in resource.get("Properties", {}).get("Policies") or []:
        if isinstance(policy, dict) and "LambdaInvokePolicy" in policy:
            name = policy["LambdaInvokePolicy"].get("FunctionName")
            if isinstance(name, dict) and "Ref" in name:
                targets.add(name["Ref"])
    return targets


def check_state_machines(template, functions, directory, problems):
    resources = template["Resources"]
    function_logicals = {logical: binary for binary, logical in functions.items()}
    deployed = {}
    for logical, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::StateMachine":
            continue
        uri = resource.get("Properties", {}).get("DefinitionUri")
        if not isinstance(uri, str) or not uri.startswith("statemachines/"):
            problems.append(f"template: {logical}: DefinitionUri must be statemachines/<file>")
            continue
        deployed[uri.removeprefix("statemachines/")] = logical

    files = {p.name for p in directory.glob("*.asl.json")}
    for name in sorted(files - deployed.keys()):
        problems.append(f"infra/statemachines/{name} is not deployed by any state machine resource")
    for name in sorted(deployed.keys() - files):
        problems.append(f"template: {deployed[name]} deploys statemachines/{name}, which does not exist")

    for name in sorted(files & deployed.keys()):
        logical = deployed[name]
        resource = resources[logical]
        substitutions = resource.get("Properties", {}).get("DefinitionSubstitutions") or {}
        text = (directory / name).read_text()
        try:
            definition = json.loads(text)
        except json.JSONDecodeError as e:
            problems.append(f"{name}: not JSON: {e}")
            continue
        for placeholder in sorted(set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", text))):
            if placeholder not in substitutions:
                problems.append(f"{name}: ${{{placeholder}}} has no DefinitionSubstitutions entry in {logical}")
        invoked = set()
        for path, state in task_states(definition.get("States", {})):
            where = f"{name}: task {path}"
            placeholder = task_placeholder(state)
            if placeholder is None:
                problems.append(f"{where}: does not invoke a function through a ${{...FunctionArn}} substitution")
                continue
            target = substitution_target(substitutions.get(placeholder))
            if target not in function_logicals:
                problems.append(f"{where}: ${{{placeholder}}} does not map to a function resource")
                continue
            if placeholder != target + "Arn":
                problems.append(f"{where}: ${{{placeholder}}} should be named ${{{target}Arn}} (the local stack resolves names)")
            invoked.add(target)
        allowed = invoke_policy_targets(resource)
        for target in sorted(invoked - allowed):
            problems.append(f"template: {logical} lacks LambdaInvokePolicy for {target}")
        for target in sorted(allowed - invoked):
            problems.append(f"template: {logical} may invoke {target}, which no task uses")


# ---------------------------------------------------------------------------------------------
# Error names
# ---------------------------------------------------------------------------------------------


def error_matchers(states):
    """(state path, "Retry[i]"/"Catch[i]", name) of every ErrorEquals name, nested states included."""
    for path, state in all_states(states):
        for field in ("Retry", "Catch"):
            for i, rule in enumerate(state.get(field) or []):
                for name in rule.get("ErrorEquals") or []:
                    yield path, f"{field}[{i}]", name


RUST_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<line_comment>//[^\n]*)
    | (?P<block_comment>/\*)
    | (?P<raw_string>b?r(?P<hashes>\#*)")
    | (?P<string>b?"(?P<body>(?:[^"\\]|\\.)*)")
    | (?P<char>b?'(?:[^'\\\n]|\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|.))')
    | (?P<lifetime>'[A-Za-z_][A-Za-z0-9_]*)
    | (?P<ident>(?:r\#)?[A-Za-z_][A-Za-z0-9_]*)
    | (?P<number>[0-9][0-9A-Za-z_]*)
    | (?P<punct>->|::|.)
    """,
    re.VERBOSE | re.DOTALL,
)


def rust_tokens(text):
    """(kind, text, offset) of Rust source, comments and whitespace dropped; a string token's
    text is its content. Enough of the lexical grammar that braces and quotes inside strings,
    chars and (nested) comments do not count."""
    tokens = []
    pos = 0
    while pos < len(text):
        match = RUST_TOKEN.match(text, pos)
        kind = match.lastgroup  # the outer group: `hashes` and `body` close before theirs
        if kind == "block_comment":
            depth, end = 1, match.end()
            while depth and end < len(text):
                if text.startswith("/*", end):
                    depth, end = depth + 1, end + 2
                elif text.startswith("*/", end):
                    depth, end = depth - 1, end + 2
                else:
                    end += 1
            pos = end
            continue
        if kind == "raw_string":
            close = '"' + match.group("hashes")
            end = text.find(close, match.end())
            end = len(text) if end < 0 else end
            tokens.append(("string", text[match.end():end], pos))
            pos = end + len(close)
            continue
        if kind == "string":
            tokens.append(("string", match.group("body"), pos))
        elif kind not in ("space", "line_comment"):
            tokens.append((kind, match.group(0), pos))
        pos = match.end()
    return tokens


ITEM_START = {None, "{", "}", ";", "]", "unsafe", "default"}
ERROR_TYPE_SIGNATURE = ["(", "&", "self", ")", "->", "&", "'static", "str"]


def impl_type(header):
    """The type name of an `impl ... {` header's tokens (after `impl`, before `{`)."""
    texts = [text for _, text, _ in header]
    if texts[:1] == ["<"]:  # impl<T> generics
        depth = 0
        for i, text in enumerate(texts):
            depth += (text == "<") - (text == ">")
            if depth == 0:
                texts = texts[i + 1:]
                break
    if "for" in texts:
        texts = texts[len(texts) - texts[::-1].index("for"):]
    if "where" in texts:
        texts = texts[: texts.index("where")]
    depth, name = 0, None
    for (kind, _, _), text in zip(header[len(header) - len(texts):], texts):
        depth += (text == "<") - (text == ">")
        if depth == 0 and kind == "ident" and text not in ("dyn", "mut"):
            name = text
    return name


def error_type_functions(text):
    """(offset, owner type, signature tokens, string literals of the body) of every
    `fn error_type` with a body in Rust source `text`."""
    tokens = rust_tokens(text)
    stack = []  # the impl type (or None) of each open brace
    pending = None  # the impl type whose header is being read
    i = 0
    while i < len(tokens):
        kind, tok, offset = tokens[i]
        previous = tokens[i - 1][1] if i else None
        if kind == "ident" and tok == "impl" and previous in ITEM_START:
            j = i + 1
            while j < len(tokens) and tokens[j][1] not in ("{", ";"):
                j += 1
            pending = impl_type(tokens[i + 1:j])
            i = j
            continue
        if tok == "{" and kind == "punct":
            stack.append(pending)
            pending = None
        elif tok == "}" and kind == "punct":
            if stack:
                stack.pop()
        elif kind == "ident" and tok == "fn" and i + 1 < len(tokens) and tokens[i + 1][1] == "error_type":
            j = i + 2
            while j < len(tokens) and tokens[j][1] not in ("{", ";"):
                j += 1
            if j == len(tokens) or tokens[j][1] == ";":  # a trait's declaration, no body
                i = j
                continue
            signature = [t for _, t, _ in tokens[i + 2:j]]
            depth, k, literals = 0, j, []
            while k < len(tokens):
                if tokens[k][0] == "punct" and tokens[k][1] in "{}":
                    depth += 1 if tokens[k][1] == "{" else -1
                    if depth == 0:
                        break
                elif tokens[k][0] == "string":
                    literals.append(tokens[k][1])
                k += 1
            owner = next((t for t in reversed(stack) if t), None)
            yield offset, owner, signature, literals
            i = k + 1
            continue
        i += 1


def emitted_error_names(paths, problems):
    """{name: [where it is emitted]} of every `fn error_type` under the Rust sources."""
    emitted = {}
    for source in paths.rust_sources:
        for file in sorted(source.rglob("*.rs")):
            text = file.read_text()
            if "error_type" not in text:
                continue
            relative = file.relative_to(paths.root)
            for offset, owner, signature, literals in error_type_functions(text):
                line = text.count("\n", 0, offset) + 1
                where = f"{relative}:{line} {owner + '::' if owner else ''}error_type"
                if signature != ERROR_TYPE_SIGNATURE:
                    problems.append(
                        f"{where}: signature {' '.join(signature)} is not (&self) -> &'static str,"
                        " so its error names cannot be read"
                    )
                    continue
                for name in literals:
                    emitted.setdefault(name, []).append(where)
    if not emitted:
        sources = ", ".join(RUST_SOURCES)
        problems.append(f"no fn error_type(&self) -> &'static str with names found under {sources}")
    return emitted


def check_error_names(paths, problems):
    emitted = emitted_error_names(paths, problems)
    known = STATES_ERRORS | LAMBDA_ERRORS | emitted.keys()
    referenced = set()
    for file in sorted(paths.state_machines.glob("*.asl.json")):
        try:
            definition = json.loads(file.read_text())
        except json.JSONDecodeError:
            continue  # reported by the state machine check
        for path, rule, name in error_matchers(definition.get("States", {})):
            referenced.add(name)
            if name in known:
                continue
            if name.startswith("States."):
                what = "not a Step Functions built-in error"
            elif name.startswith("Lambda."):
                what = "not a Lambda service error"
            else:
                what = "not a name any fn error_type emits"
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"{file.name}: state {path} {rule}: ErrorEquals {name!r} is {what}{hint}")

    for name, places in sorted(emitted.items()):
        where = ", ".join(places)
        if name.startswith(("States.", "Lambda.")):
            problems.append(f"{where}: emits {name!r}, a name reserved for Step Functions / Lambda")
        elif name not in referenced and name not in UNMATCHED_BY_NAME:
            problems.append(
                f"{where}: emits {name!r}, which no Retry/Catch of infra/statemachines names;"
                " name it there or add it to UNMATCHED_BY_NAME in infra/consistency.py with the reason"
            )
    listed = "infra/consistency.py: UNMATCHED_BY_NAME lists"
    for name in sorted(UNMATCHED_BY_NAME.keys() - emitted.keys()):
        problems.append(f"{listed} {name!r}, which no fn error_type emits")
    for name in sorted(UNMATCHED_BY_NAME.keys() & referenced):
        problems.append(f"{listed} {name!r}, which a Retry/Catch names; remove it from the list")


def check(paths=Paths()):
    problems = []
    template, matches = decode(str(paths.template))
    if template is None:
        return [f"template: cannot parse: {m}" for m in matches]

    routes = load_routes(paths.routes)
    expected = expected_routes(routes)
    compare("template", template_routes(template, problems), expected, problems)
    compare("local router", local_routes(paths.cargo_toml, problems), expected, problems)

    bins = binaries(paths.bins)
    for _, route, function in routes:
        if function not in bins:
            problems.append(f"infra/routes.txt: {route} names {function}, which is not a binary")
    functions = check_functions(template, bins, problems)
    check_state_machines(template, functions, paths.state_machines, problems)
    check_error_names(paths, problems)
    return problems


def main():
    problems = check()
    for problem in problems:
        print(f"consistency: {problem}", file=sys.stderr)
    if problems:
        print(f"consistency: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("consistency: routes, functions, state machine tasks and error names agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
