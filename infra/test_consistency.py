"""Tests of infra/consistency.py: the real tree passes, and each kind of drift is reported.

    python -m unittest infra/test_consistency.py   (infra/check runs it)
"""

import json
import shutil
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import consistency  # noqa: E402

ROOT = consistency.ROOT


class Tree:
    """A copy of the checked files that a test may break."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="consistency-"))
        for relative in ("infra/routes.txt", "Cargo.toml", "infra/template.yaml"):
            (self.dir / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / relative, self.dir / relative)
        for relative in consistency.RUST_SOURCES:
            shutil.copytree(ROOT / relative, self.dir / relative)
        shutil.copytree(ROOT / "infra/statemachines", self.dir / "infra/statemachines")
        self.paths = consistency.Paths(self.dir)

    def edit(self, relative, old, new):
        path = self.dir / relative
        text = path.read_text()
        if old not in text:
            raise AssertionError(f"{old!r} not in {relative}")
        path.write_text(text.replace(old, new, 1))

    def edit_rust(self, old, new):
        """Replace `old` in the one Rust source file that contains it (wherever it has moved)."""
        files = [
            f for source in self.paths.rust_sources for f in source.rglob("*.rs") if old in f.read_text()
        ]
        if len(files) != 1:
            raise AssertionError(f"{old!r} is in {len(files)} Rust files, not 1")
        self.edit(files[0].relative_to(self.dir), old, new)

    def edit_json(self, name, change):
        path = self.paths.state_machines / name
        definition = json.loads(path.read_text())
        change(definition)
        path.write_text(json.dumps(definition))

    def problems(self):
        return consistency.check(self.paths)

    def remove(self):
        shutil.rmtree(self.dir)


class ConsistencyTest(unittest.TestCase):
    def setUp(self):
        self.tree = Tree()
        self.addCleanup(self.tree.remove)

    def assertReported(self, fragment):
        problems = self.tree.problems()
        self.assertTrue(
            any(fragment in p for p in problems),
            f"no problem mentions {fragment!r}; got {problems}",
        )

    def test_the_repository_is_consistent(self):
        self.assertEqual(consistency.check(), [])

    def test_a_route_missing_from_the_template(self):
        self.tree.edit(
            "infra/template.yaml",
            "Method: PATCH, Path: \"/api/conversations/{id}\"",
            "Method: PUT, Path: \"/api/conversations/{id}\"",
        )
        self.assertReported("template: missing route PATCH /api/conversations/{id}")
        self.assertReported("template: route not in infra/routes.txt: PUT /api/conversations/{id}")

    def test_a_path_without_its_other_methods(self):
        self.tree.edit(
            "infra/template.yaml",
            "        Me: { Type: HttpApi, Properties: { ApiId: !Ref HttpApi, Method: ANY, Path: /api/me } }\n",
            "",
        )
        self.assertReported("template: missing route ANY /api/me method-not-allowed")

    def test_a_trailing_slash_route_key(self):
        self.tree.edit("infra/template.yaml", "Method: GET, Path: /api/health }", "Method: GET, Path: /api/health/ }")
        self.assertReported("HTTP API paths cannot end with '/'")

    def test_a_route_added_to_routes_txt_only(self):
        with open(self.tree.paths.routes, "a") as f:
            f.write("GET /api/extra/ health\n")
        self.assertReported("template: missing route GET /api/extra health")
        self.assertReported("local router: missing route GET /api/extra health")

    def test_a_local_path_without_its_slash_form(self):
        self.tree.edit("Cargo.toml", '"/api/me/" = [', '"/api/me-typo/" = [')
        self.assertReported("local router: /api/me is not listed both with and without '/'")

    def test_a_local_method_falling_through(self):
        self.tree.edit(
            "Cargo.toml",
            '"/api/health" = [\n  { method = "GET", function = "health" },\n  { method = "POST", function = "method-not-allowed" },',
            '"/api/health" = [\n  { method = "GET", function = "health" },',
        )
        self.assertReported("local router: /api/health leaves POST")

    def test_a_binary_without_a_function(self):
        (self.tree.paths.bins / "admin-report.rs").write_text("fn main() {}\n")
        self.assertReported("functions/src/bin/admin-report.rs has no function resource")

    def test_a_function_without_a_binary(self):
        (self.tree.paths.bins / "health.rs").unlink()
        self.assertReported("template: HealthFunction builds health, which is not a binary")
        self.assertReported("infra/routes.txt: /api/health names health, which is not a binary")

    def test_a_misnamed_function(self):
        self.tree.edit("infra/template.yaml", "  MeFunction:\n", "  WhoAmIFunction:\n")
        self.assertReported("WhoAmIFunction: should be named MeFunction")

    def test_a_task_naming_an_unknown_function(self):
        path = self.tree.paths.state_machines / "conversation-purge.asl.json"
        definition = json.loads(path.read_text())
        mark = definition["States"]["MarkPages"]["ItemProcessor"]["States"]["MarkPage"]
        mark["Resource"] = "${ConversationShredFunctionArn}"
        path.write_text(json.dumps(definition))
        self.assertReported("${ConversationShredFunctionArn} has no DefinitionSubstitutions entry")
        self.assertReported("task MarkPages/MarkPage: ${ConversationShredFunctionArn} does not map to a function")
        self.assertReported("may invoke ConversationPurgeMarkFunction, which no task uses")

    def test_a_task_with_a_literal_arn(self):
        path = self.tree.paths.state_machines / "conversation-purge.asl.json"
        definition = json.loads(path.read_text())
        definition["States"]["PlanPages"]["Resource"] = "arn:aws:lambda:us-east-1:1:function:x"
        path.write_text(json.dumps(definition))
        self.assertReported("task PlanPages: does not invoke a function through a ${...FunctionArn}")

    def test_an_undeployed_state_machine(self):
        (self.tree.paths.state_machines / "nightly.asl.json").write_text('{"StartAt":"A","States":{}}')
        self.assertReported("infra/statemachines/nightly.asl.json is not deployed")

    def test_the_emitted_error_names_are_found(self):
        problems = []
        emitted = consistency.emitted_error_names(consistency.Paths(), problems)
        self.assertEqual(problems, [])
        # One name of each error_type: LlmError's, TaskError's and RetentionError's.
        for name in ("ProviderThrottled", "NoMoreProviders", "InvalidPurgeInput"):
            self.assertIn(name, emitted)

    def test_a_typo_in_an_error_name(self):
        self.tree.edit("infra/statemachines/chat-turn.asl.json", '"ProviderThrottled"', '"ProviderThrotled"')
        self.assertReported(
            "chat-turn.asl.json: state CallModel0 Retry[0]: ErrorEquals 'ProviderThrotled' is not a name"
            " any fn error_type emits (did you mean ProviderThrottled?)"
        )

    def test_an_unknown_built_in_error_name(self):
        self.tree.edit("infra/statemachines/chat-turn.asl.json", '"States.ALL"', '"States.All"')
        self.assertReported("state CallModel0 Catch[1]: ErrorEquals 'States.All' is not a Step Functions built-in")

    def test_an_unknown_lambda_error_name(self):
        self.tree.edit(
            "infra/statemachines/chat-turn.asl.json", '"Lambda.ServiceException"', '"Lambda.ServiceError"'
        )
        self.assertReported("ErrorEquals 'Lambda.ServiceError' is not a Lambda service error")

    def test_an_error_name_in_a_nested_map_state(self):
        def change(definition):
            mark = definition["States"]["MarkPages"]["ItemProcessor"]["States"]["MarkPage"]
            mark["Catch"] = [{"ErrorEquals": ["StoreGone"], "Next": "Gone"}]

        self.tree.edit_json("conversation-purge.asl.json", change)
        self.assertReported("conversation-purge.asl.json: state MarkPages/MarkPage Catch[0]: ErrorEquals 'StoreGone'")

    def test_error_names_in_parallel_branches_and_iterators(self):
        states = {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"States": {"A": {"Type": "Task", "Retry": [{"ErrorEquals": ["InA"]}]}}},
                    {"States": {"Each": {"Type": "Map", "Iterator": {"States": {
                        "B": {"Type": "Task", "Catch": [{"ErrorEquals": ["X", "InB"]}]},
                    }}}}},
                ],
                "Catch": [{"ErrorEquals": ["States.BranchFailed"]}],
            }
        }
        self.assertEqual(
            sorted(consistency.error_matchers(states)),
            [
                ("Both", "Catch[0]", "States.BranchFailed"),
                ("Both[0]/A", "Retry[0]", "InA"),
                ("Both[1]/Each/B", "Catch[0]", "InB"),
                ("Both[1]/Each/B", "Catch[0]", "X"),
            ],
        )

    def test_an_emitted_name_no_state_machine_names(self):
        (self.tree.dir / "core/src/service/quota.rs").write_text(
            "/// Quota errors.\n"
            "pub enum QuotaError { Exceeded, Unknown }\n\n"
            "impl QuotaError {\n"
            "    pub fn error_type(&self) -> &'static str {\n"
            "        match self {\n"
            "            // \"Commented\" names do not count.\n"
            "            QuotaError::Exceeded => \"QuotaExceeded\",\n"
            "            QuotaError::Unknown => { \"StoreUnavailable\" }\n"
            "        }\n"
            "    }\n"
            "}\n"
        )
        problems = self.tree.problems()
        self.assertReported(
            "core/src/service/quota.rs:5 QuotaError::error_type: emits 'QuotaExceeded', which no Retry/Catch"
        )
        self.assertFalse([p for p in problems if "Commented" in p or "'StoreUnavailable'" in p], problems)

    def test_a_renamed_emitted_name(self):
        self.tree.edit_rust('=> "ProviderThrottled"', '=> "ProviderRateLimited"')
        self.assertReported("LlmError::error_type: emits 'ProviderRateLimited', which no Retry/Catch")
        self.assertReported("ErrorEquals 'ProviderThrottled' is not a name any fn error_type emits")

    def test_an_error_type_that_cannot_be_read(self):
        (self.tree.dir / "functions/src/quota.rs").write_text(
            "impl Quota { fn error_type(&self) -> String { format!(\"Quota{}\", 1) } }\n"
        )
        self.assertReported("functions/src/quota.rs:1 Quota::error_type: signature ( & self ) -> String")

    def test_a_stale_allow_list_entry(self):
        self.tree.edit(
            "infra/statemachines/chat-turn.asl.json", '"NoMoreProviders",', '"NoMoreProviders", "ProviderRejected",'
        )
        with mock.patch.dict(consistency.UNMATCHED_BY_NAME, {"ProviderGone": "removed"}):
            self.assertReported("UNMATCHED_BY_NAME lists 'ProviderGone', which no fn error_type emits")
            self.assertReported("UNMATCHED_BY_NAME lists 'ProviderRejected', which a Retry/Catch names")


if __name__ == "__main__":
    unittest.main()
