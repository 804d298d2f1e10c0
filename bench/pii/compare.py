"""Scores this engine and Microsoft Presidio on the same labelled corpus, side by side.

Presidio runs its predefined pattern recognizers (regex + validators + context words, plus the
phonenumbers-based phone recognizer). No spaCy model can be downloaded here, so it gets a
tokenizer-only NLP engine (`spacy.blank("en")`, lemma = lower-cased token so its context words
still work; no NER): PERSON and LOCATION are therefore not produced by Presidio in this run.
`--presidio-nlp noop` uses Presidio's own NoOpNlpEngine instead (no tokens, no context).

A prediction is a true positive when it has the gold type and overlaps a not-yet-matched gold
span with intersection-over-union >= 0.5. Presidio types are mapped to ours; Presidio types with
no counterpart (US_BANK_NUMBER, UK_NHS, ...) are ignored rather than counted as errors.
"""
import argparse
import json
import time
from collections import defaultdict

PRESIDIO_TO_OURS = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "US_SSN": "SSN",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS",
    "MAC_ADDRESS": "MAC_ADDRESS",
    "URL": "URL",
    "US_PASSPORT": "US_PASSPORT",
    "US_DRIVER_LICENSE": "DRIVER_LICENSE",
    "DATE_TIME": "DATE",
    "CRYPTO": "CRYPTO",
    "PERSON": "PERSON",
    "LOCATION": "LOCATION",
}


def offline_tldextract():
    """Presidio's email/URL validation uses tldextract, which tries to download the public suffix
    list first; here there is no network, so make it use its bundled snapshot directly."""
    import tldextract
    import tldextract.tldextract as tt

    tt.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())


def presidio_analyzer(mode):
    offline_tldextract()
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NoOpNlpEngine, SpacyNlpEngine

    if mode == "noop":
        nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
        nlp.load()
    else:
        import spacy
        from spacy.language import Language

        @Language.component("lower_lemma")
        def lower_lemma(doc):
            for t in doc:
                t.lemma_ = t.lower_
            return doc

        class BlankSpacy(SpacyNlpEngine):
            def load(self):
                blank = spacy.blank("en")
                blank.add_pipe("lower_lemma")
                self.nlp = {"en": blank}

        nlp = BlankSpacy(models=[{"lang_code": "en", "model_name": "blank"}])
        nlp.load()
    return AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])


def iou(a, b):
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def score(gold, pred):
    """gold/pred: {id: [(type, start, end)]} -> {type: [tp, fp, fn]}"""
    counts = defaultdict(lambda: [0, 0, 0])
    for rid, golds in gold.items():
        used = [False] * len(golds)
        for ty, s, e in pred.get(rid, []):
            hit = None
            for i, (gty, gs, ge) in enumerate(golds):
                if not used[i] and gty == ty and iou((s, e), (gs, ge)) >= 0.5:
                    hit = i
                    break
            if hit is None:
                counts[ty][1] += 1
            else:
                used[hit] = True
                counts[ty][0] += 1
        for i, (gty, _, _) in enumerate(golds):
            if not used[i]:
                counts[gty][2] += 1
    return counts


def prf(c):
    tp, fp, fn = c
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--ours", required=True, help="JSONL written by the engine's scan")
    ap.add_argument("--ours-stats", required=True)
    ap.add_argument("--presidio-nlp", choices=["blank", "noop"], default="blank")
    ap.add_argument("--presidio-threshold", type=float, default=0.0)
    ap.add_argument("--json-out")
    args = ap.parse_args()

    records = [json.loads(l) for l in open(args.corpus, encoding="utf-8")]
    gold = {r["id"]: [(l["type"], l["start"], l["end"]) for l in r["labels"]] for r in records}
    ours = {}
    for line in open(args.ours, encoding="utf-8"):
        o = json.loads(line)
        ours[o["id"]] = [(e["type"], e["start"], e["end"]) for e in o.get("entities", [])]
    stats = json.loads(open(args.ours_stats).read())

    t0 = time.perf_counter()
    analyzer = presidio_analyzer(args.presidio_nlp)
    build = time.perf_counter() - t0
    presidio = {}
    t0 = time.perf_counter()
    for r in records:
        results = analyzer.analyze(text=r["text"], language="en", score_threshold=args.presidio_threshold)
        presidio[r["id"]] = [(PRESIDIO_TO_OURS[x.entity_type], x.start, x.end) for x in results if x.entity_type in PRESIDIO_TO_OURS]
    presidio_seconds = time.perf_counter() - t0

    c_ours, c_pres = score(gold, ours), score(gold, presidio)
    types = sorted({t for golds in gold.values() for t, _, _ in golds} | set(c_ours) | set(c_pres))
    presidio_types = set(PRESIDIO_TO_OURS.values()) - ({"PERSON", "LOCATION"})
    rows = []
    print(f"corpus: {len(records)} records, {stats['bytes']} bytes, {sum(len(g) for g in gold.values())} labelled entities")
    print(f"Presidio: pattern recognizers, NLP engine = {'spaCy blank(en) tokenizer, no NER' if args.presidio_nlp == 'blank' else 'NoOpNlpEngine'}, score_threshold={args.presidio_threshold}")
    print()
    hdr = f"{'type':<15} {'gold':>5} | {'ours P':>7} {'R':>6} {'F1':>6} | {'Presidio P':>10} {'R':>6} {'F1':>6}"
    print(hdr)
    print("-" * len(hdr))
    for ty in types:
        n_gold = sum(1 for golds in gold.values() for t, _, _ in golds if t == ty)
        po, ro, fo = prf(c_ours[ty])
        row = {"type": ty, "gold": n_gold, "ours": {"precision": po, "recall": ro, "f1": fo, "tp_fp_fn": c_ours[ty]}}
        if ty in presidio_types:
            pp, rp, fp_ = prf(c_pres[ty])
            row["presidio"] = {"precision": pp, "recall": rp, "f1": fp_, "tp_fp_fn": c_pres[ty]}
            pres = f"{pp:>10.3f} {rp:>6.3f} {fp_:>6.3f}"
        else:
            pres = f"{'n/a':>10} {'':>6} {'':>6}"
        rows.append(row)
        print(f"{ty:<15} {n_gold:>5} | {po:>7.3f} {ro:>6.3f} {fo:>6.3f} | {pres}")

    def micro(counts, only):
        tot = [0, 0, 0]
        for ty in only:
            for i in range(3):
                tot[i] += counts[ty][i]
        return prf(tot)

    shared = [t for t in types if t in presidio_types]
    mo, mp = micro(c_ours, shared), micro(c_pres, shared)
    print("-" * len(hdr))
    print(f"{'micro (shared)':<15} {'':>5} | {mo[0]:>7.3f} {mo[1]:>6.3f} {mo[2]:>6.3f} | {mp[0]:>10.3f} {mp[1]:>6.3f} {mp[2]:>6.3f}")
    ma = micro(c_ours, types)
    print(f"{'micro (all ours)':<15}{'':>2} | {ma[0]:>7.3f} {ma[1]:>6.3f} {ma[2]:>6.3f} |")
    print()
    ours_tput = stats["bytes"] / stats["discover_seconds"]
    pres_tput = stats["bytes"] / presidio_seconds
    print(f"throughput (discovery only, in-process, same texts):")
    print(f"  ours     {stats['discover_seconds']*1000:9.1f} ms  {ours_tput/1e6:8.2f} MB/s  p50 {stats['per_text_us_p50']:.1f} µs/text  p99 {stats['per_text_us_p99']:.1f} µs/text")
    print(f"  Presidio {presidio_seconds*1000:9.1f} ms  {pres_tput/1e6:8.3f} MB/s  ({presidio_seconds/len(records)*1e6:.0f} µs/text mean)")
    print(f"  ratio    {ours_tput/pres_tput:.0f}x")
    print(f"  ours via scan_jsonl (JSON in/out, file to file): {stats['scan_jsonl_seconds']*1000:.1f} ms; engine build {stats['engine_build_seconds']*1000:.1f} ms; Presidio build {build*1000:.0f} ms")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"rows": rows, "micro_shared": {"ours": mo, "presidio": mp}, "ours_stats": stats,
                       "presidio_seconds": presidio_seconds, "ratio": ours_tput / pres_tput,
                       "presidio_nlp": args.presidio_nlp}, f, indent=1)


if __name__ == "__main__":
    main()
