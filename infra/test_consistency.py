"""Tests of infra/consistency.py: the real tree passes, and each kind of drift is reported.

    python -m unittest infra/test_consistency.py   (infra/check runs it)
"""

import json
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

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
        shutil.copytree(ROOT / "functions/src/bin", self.dir / "functions/src/bin")
        shutil.copytree(ROOT / "infra/statemachines", self.dir / "infra/statemachines")
        self.paths = consistency.Paths(self.dir)

    def edit(self, relative, old, new):
        path = self.dir / relative
        text = path.read_text()
        if old not in text:
            raise AssertionError(f"{old!r} not in {relative}")
        path.write_text(text.replace(old, new, 1))

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


if __name__ == "__main__":
    unittest.main()
