"""Third-party PII evaluation: labelled data this project did not write, scored per type.

Sources (each optional except the first; see docs/benchmarks.md for licences):

- `presidio-evaluator` (PyPI, MIT): Microsoft's template-based fake-PII sentence generator, its
  own 200-odd templates and its bundled FakeNameGenerator.com person records (24 name sets:
  Czech, Hungarian, Icelandic, Japanese, Russian, ...). Generated here with a fixed seed.
- KLUE NER (`klue-ner-v1.1_dev.tsv` of KLUE-benchmark/KLUE, CC BY-SA 4.0): Korean news
  (wikitree) and movie reviews (nsmc), character-level BIO tags. Given with `--klue FILE`.
- stockmark Japanese Wikipedia NER (`ner.json` of stockmarkteam/ner-wikipedia-dataset,
  CC BY-SA 3.0). Given with `--ja FILE`.

Every record is assigned to `dev` or `heldout` by its source unit, never by sentence: a
presidio-evaluator template (all sentences of one template land on the same side), a KLUE
domain (wikitree = dev, nsmc = heldout), a Japanese Wikipedia article (`curid`). Rules are
tuned on `dev` only; `heldout` is for reporting.

`prepare` writes `<out>/dev.jsonl` and `<out>/heldout.jsonl` ({"id","text","labels","source"},
character offsets, labels mapped to this engine's types). `score` compares an engine output
(JSONL from `scan_jsonl`) with a split, per source and type, exact and overlap matching, and
optionally runs Presidio's pattern recognizers on the English part side by side.
"""
import argparse
import hashlib
import json
import random
import sys
from collections import defaultdict

# presidio-evaluator types -> ours. Types we have no counterpart for are kept as "ignored"
# labels: a prediction overlapping one is neither right nor wrong.
PRESIDIO_EVAL_TO_OURS = {
    "PERSON": "PERSON",
    "GPE": "LOCATION",
    "STREET_ADDRESS": "LOCATION",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS",
    "US_SSN": "SSN",
    "DATE_TIME": "DATE",
    "DOMAIN_NAME": "URL",
    "US_DRIVER_LICENSE": "DRIVER_LICENSE",
}
# Organisation spans are negatives: no type of ours belongs there, so a prediction on one is a
# false positive. Every other unmapped label is ignored.
NEGATIVE = {"ORGANIZATION", "OG", "法人名", "政治的組織名", "その他の組織名"}

KLUE_TO_OURS = {"PS": "PERSON", "LC": "LOCATION"}
JA_TO_OURS = {"人名": "PERSON", "地名": "LOCATION"}

SEED = 42


def side(key: str, heldout_share: float = 1 / 3) -> str:
    h = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "heldout" if h < heldout_share else "dev"


def presidio_evaluator_records(n: int):
    from presidio_evaluator.data_generator import PresidioSentenceFaker

    # Its person table draws middle initials from `random` while it loads, before the
    # generator seeds itself: seed first so the corpus is the same on every run.
    random.seed(SEED)
    faker = PresidioSentenceFaker("en_US", lower_case_ratio=0.05, random_seed=SEED)
    out = []
    for i, s in enumerate(faker.generate_new_fake_sentences(num_samples=n)):
        labels, ignored = [], []
        for sp in s.spans:
            ty = PRESIDIO_EVAL_TO_OURS.get(sp.entity_type)
            if sp.entity_type in NEGATIVE:
                continue
            if ty is None:
                ignored.append({"type": sp.entity_type, "start": sp.start_position, "end": sp.end_position})
            else:
                labels.append({"type": ty, "start": sp.start_position, "end": sp.end_position})
        # Its address templates label each address part separately; adjacent LOCATION parts
        # are one address to us.
        labels = merge_adjacent(s.full_text, labels, "LOCATION")
        out.append({
            "id": f"pe-{i}",
            "text": s.full_text,
            "labels": labels,
            "ignored": ignored,
            "source": "presidio-evaluator",
            "split": side(f"pe-template-{s.template_id}"),
        })
    return out


def merge_adjacent(text, labels, ty):
    labels = sorted(labels, key=lambda l: l["start"])
    merged = []
    for l in labels:
        prev = merged[-1] if merged else None
        if (prev and prev["type"] == ty and l["type"] == ty
                and text[prev["end"]:l["start"]].strip(" ,\n") == ""):
            prev["end"] = max(prev["end"], l["end"])
        else:
            merged.append(dict(l))
    return merged


def klue_records(path):
    out = []
    with open(path, encoding="utf-8") as f:
        blocks = f.read().split("\n\n")
    for block in blocks:
        lines = [l for l in block.split("\n") if l]
        header = next((l for l in lines if l.startswith("## klue-ner")), None)
        if header is None:
            continue
        sid = header[3:].split("\t")[0]
        chars, tags = [], []
        for l in lines:
            if l.startswith("##"):
                continue
            parts = l.split("\t")
            if len(parts) != 2:
                continue
            chars.append(parts[0])
            tags.append(parts[1])
        text = "".join(chars)
        labels, ignored = [], []
        pos = 0
        cur = None

        def keep(span):
            if span["type"]:
                labels.append(span)
            elif span["raw"] not in NEGATIVE:
                ignored.append(span)

        for ch, tag in zip(chars, tags):
            if tag.startswith("B-") or tag == "O" or (tag.startswith("I-") and (cur is None or cur["raw"] != tag[2:])):
                if cur:
                    keep(cur)
                    cur = None
            if tag.startswith("B-") or (tag.startswith("I-") and cur is None):
                raw = tag[2:]
                cur = {"type": KLUE_TO_OURS.get(raw), "raw": raw, "start": pos, "end": pos + len(ch)}
            elif tag.startswith("I-") and cur:
                cur["end"] = pos + len(ch)
            pos += len(ch)
        if cur:
            keep(cur)
        domain = sid.rsplit("-", 1)[-1]
        out.append({
            "id": sid,
            "text": text,
            "labels": [{"type": l["type"], "start": l["start"], "end": l["end"]} for l in labels],
            "ignored": [{"type": l["raw"], "start": l["start"], "end": l["end"]} for l in ignored],
            "source": f"klue-{domain}",
            "split": "dev" if domain == "wikitree" else "heldout",
        })
    return out


def ja_records(path):
    data = json.load(open(path, encoding="utf-8"))
    out = []
    for i, r in enumerate(data):
        labels, ignored = [], []
        for e in r["entities"]:
            s, t = e["span"]
            ty = JA_TO_OURS.get(e["type"])
            if ty:
                labels.append({"type": ty, "start": s, "end": t})
            elif e["type"] not in NEGATIVE:
                ignored.append({"type": e["type"], "start": s, "end": t})
        out.append({
            "id": f"ja-{i}",
            "text": r["text"],
            "labels": labels,
            "ignored": ignored,
            "source": "ja-wikipedia",
            "split": side(f"ja-article-{r['curid']}"),
        })
    return out


def prepare(args):
    import os

    os.makedirs(args.out_dir, exist_ok=True)
    records = presidio_evaluator_records(args.records)
    if args.klue:
        records += klue_records(args.klue)
    else:
        print("KLUE NER not given (--klue FILE): skipped", file=sys.stderr)
    if args.ja:
        records += ja_records(args.ja)
    else:
        print("Japanese Wikipedia NER not given (--ja FILE): skipped", file=sys.stderr)
    counts = defaultdict(int)
    for split in ("dev", "heldout"):
        with open(f"{args.out_dir}/{split}.jsonl", "w", encoding="utf-8") as f:
            for r in records:
                if r["split"] == split:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
                    counts[(split, r["source"])] += 1
    for (split, source), n in sorted(counts.items()):
        print(f"{split:8} {source:20} {n:6} records", file=sys.stderr)


def overlaps(a, b):
    return min(a[1], b[1]) > max(a[0], b[0])


def score(records, preds, mode):
    """{source: {type: [tp, fp, fn]}} with `mode` exact (same offsets) or overlap (any shared
    character); each gold span matches at most one prediction."""
    counts = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for r in records:
        golds = [(l["type"], l["start"], l["end"]) for l in r["labels"]]
        ignored = [(l["start"], l["end"]) for l in r.get("ignored", [])]
        used = [False] * len(golds)
        c = counts[r["source"]]
        for ty, s, e in preds.get(r["id"], []):
            hit = None
            for i, (gty, gs, ge) in enumerate(golds):
                if used[i] or gty != ty:
                    continue
                if (mode == "exact" and (s, e) == (gs, ge)) or (mode == "overlap" and overlaps((s, e), (gs, ge))):
                    hit = i
                    break
            if hit is not None:
                used[hit] = True
                c[ty][0] += 1
            elif any(overlaps((s, e), g) for g in ignored):
                continue
            else:
                c[ty][1] += 1
        for i, (gty, _, _) in enumerate(golds):
            if not used[i]:
                c[gty][2] += 1
    return counts


def prf(c):
    tp, fp, fn = c
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def presidio_predictions(records):
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from compare import PRESIDIO_TO_OURS, presidio_analyzer

    analyzer = presidio_analyzer("blank")
    out = {}
    for r in records:
        if r["source"] != "presidio-evaluator":
            continue
        res = analyzer.analyze(text=r["text"], language="en", score_threshold=0.0)
        out[r["id"]] = [(PRESIDIO_TO_OURS[x.entity_type], x.start, x.end) for x in res if x.entity_type in PRESIDIO_TO_OURS]
    return out


def print_table(title, c_ours, c_pres, n_gold):
    print(title)
    hdr = f"  {'type':<15} {'gold':>5} | {'exact P':>7} {'R':>6} {'F1':>6} | {'overlap P':>9} {'R':>6} {'F1':>6}"
    if c_pres is not None:
        hdr += f" | {'Presidio ovl P':>14} {'R':>6} {'F1':>6}"
    print(hdr)
    print("  " + "-" * (len(hdr) - 2))
    types = sorted(set(n_gold) | set(c_ours["exact"]) | set(c_ours["overlap"]))
    for ty in types:
        pe, re_, fe = prf(c_ours["exact"][ty])
        po, ro, fo = prf(c_ours["overlap"][ty])
        line = f"  {ty:<15} {n_gold.get(ty, 0):>5} | {pe:>7.3f} {re_:>6.3f} {fe:>6.3f} | {po:>9.3f} {ro:>6.3f} {fo:>6.3f}"
        if c_pres is not None:
            if ty in ("PERSON", "LOCATION"):
                line += f" | {'n/a':>14}"
            else:
                pp, rp, fp_ = prf(c_pres[ty])
                line += f" | {pp:>14.3f} {rp:>6.3f} {fp_:>6.3f}"
        print(line)
    print()


def score_cmd(args):
    records = [json.loads(l) for l in open(args.corpus, encoding="utf-8")]
    ours = {}
    for line in open(args.ours, encoding="utf-8"):
        o = json.loads(line)
        ours[o["id"]] = [(e["type"], e["start"], e["end"]) for e in o.get("entities", [])]
    pres = presidio_predictions(records) if args.presidio else None
    sources = sorted({r["source"] for r in records})
    result = {}
    for source in sources + ["all"]:
        recs = [r for r in records if source == "all" or r["source"] == source]
        if source == "all" and len(sources) < 2:
            continue
        n_gold = defaultdict(int)
        for r in recs:
            for l in r["labels"]:
                n_gold[l["type"]] += 1
        c = {m: score(recs, ours, m) for m in ("exact", "overlap")}
        merged = {m: defaultdict(lambda: [0, 0, 0]) for m in c}
        for m in c:
            for per_type in c[m].values():
                for ty, v in per_type.items():
                    for i in range(3):
                        merged[m][ty][i] += v[i]
        cp = None
        if pres is not None and source == "presidio-evaluator":
            cp = defaultdict(lambda: [0, 0, 0])
            for ty, v in score(recs, pres, "overlap")[source].items():
                cp[ty] = v
        print_table(f"{args.split} / {source}: {len(recs)} records", merged, cp, n_gold)
        result[source] = {m: {ty: {"tp_fp_fn": v, "prf": prf(v)} for ty, v in merged[m].items()} for m in merged}
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(result, f, indent=1)
    if args.misses:
        show_misses(records, ours, args.misses)


def show_misses(records, ours, ty):
    """Missed and spurious spans of one type, for looking at failure classes (dev split only)."""
    for r in records:
        golds = {(l["start"], l["end"]) for l in r["labels"] if l["type"] == ty}
        preds = {(s, e) for t, s, e in ours.get(r["id"], []) if t == ty}
        ign = [(l["start"], l["end"]) for l in r.get("ignored", [])]
        for s, e in sorted(golds):
            if not any(overlaps((s, e), p) for p in preds):
                print(f"MISS {r['source']}\t{r['text'][s:e]!r}\t{r['text'][:160]!r}")
        for s, e in sorted(preds):
            if not any(overlaps((s, e), g) for g in golds) and not any(overlaps((s, e), g) for g in ign):
                print(f"FP   {r['source']}\t{r['text'][s:e]!r}\t{r['text'][:160]!r}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--records", type=int, default=3000)
    p.add_argument("--klue")
    p.add_argument("--ja")
    s = sub.add_parser("score")
    s.add_argument("--corpus", required=True)
    s.add_argument("--ours", required=True)
    s.add_argument("--split", default="")
    s.add_argument("--presidio", action="store_true")
    s.add_argument("--json-out")
    s.add_argument("--misses", help="print missed/spurious spans of this type")
    args = ap.parse_args()
    if args.cmd == "prepare":
        prepare(args)
    else:
        if args.misses and args.split == "heldout":
            sys.exit("misses are for the dev split only: held-out data is not looked at for tuning")
        score_cmd(args)


if __name__ == "__main__":
    main()
