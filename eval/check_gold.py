#!/usr/bin/env python3
"""Check eval/questions.jsonl against the monographs in corpus/ (stdlib only).

For every line: the JSON parses; every key is present with a valid value; ids are
unique and sequential; drug slugs exist in corpus/; and every key fact occurs
verbatim in its monograph's text once markdown emphasis (`**`, `*`) is removed and
whitespace is collapsed (the FAQ answers of the YAML front matter count as text of
the monograph too). Prints counts per intent, type, covered and clarify.

    python3 eval/check_gold.py [eval/questions.jsonl]

Exit status 1 when any error is found.
"""

import collections
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "corpus")

KEYS = [
    "id", "question", "type", "drugs", "section", "abstain", "emergency", "style",
    "intent", "key_facts", "covered", "clarify", "candidates",
]
TYPES = {
    "dose", "side_effects", "interactions", "pregnancy", "mechanism", "onset",
    "missed_dose", "storage", "overdose", "contraindications", "usage", "not_in_library",
}
SECTIONS = {
    "usage", "alternate_names", "how_it_works", "dosage", "side_effects", "contraindications",
    "drug_interactions", "pregnancy_breastfeeding", "precautions", "faqs",
}
STYLES = {"misspelling", "brand", "short", "lowercase", "rambling", "two_drugs", "follow_up_style"}
INTENTS = {
    "what_is", "used_for", "mechanism", "dose", "dose_child", "dose_kidney_liver", "missed_dose",
    "stopping", "side_effects", "serious_warnings", "interaction", "food_alcohol",
    "pregnancy_breastfeeding", "onset_duration", "storage", "appearance_ingredients", "overdose",
    "contraindications", "class_question", "ambiguous", "not_in_library",
}
MIN_PER_INTENT = 8

# Words a key-fact match ignores. Negations ("not", "never", "avoid") are kept as content words.
STOP_WORDS = set("""
about above after again all also and any are because been before being below between both but
can could did does doing down during each few for from further had has have having her here hers
him his how into its itself just more most other our ours out over own same she should some such
than that the their theirs them then there these they this those through too under until very was
were what when where which while who whom why will with would you your yours
""".split())


def content_words(text):
    """The words a key-fact match counts: lowercased, punctuation removed (a comma or point inside a
    number is dropped, so "3,900" is "3900"; any other punctuation separates words), then words of
    3 or more letters or digits that are not stop words ("mg" and "45" do not count, "400" does)."""
    text = re.sub(r"(?<=\d)[.,](?=\d)", "", text.lower())
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return [w for w in words if len(w) >= 3 and w not in STOP_WORDS]


def holds(sentence, fact, threshold=0.7):
    """True when the sentence holds the key fact: at least 70% of the fact's content words appear in it."""
    want = content_words(fact)
    if not want:
        return False
    have = set(content_words(sentence))
    return sum(1 for w in want if w in have) >= threshold * len(want)


def squash(text):
    """Markdown emphasis removed, whitespace collapsed."""
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


def monograph_text(path):
    """The monograph's searchable text: its body, plus the front matter's FAQ answers."""
    raw = open(path, encoding="utf-8").read()
    parts = [raw]
    m = re.match(r"^---\n(.*?)\n---\n", raw, re.S)
    if m:
        parts = [raw[m.end():]]
        for line in m.group(1).splitlines():
            fm = re.match(r"^\s*(?:- )?(q|a|description): (.*)$", line)
            if fm:
                value = fm.group(2).strip()
                if len(value) >= 2 and value[0] == value[-1] == "'":
                    value = value[1:-1].replace("''", "'")
                elif len(value) >= 2 and value[0] == value[-1] == '"':
                    value = json.loads(value)
                parts.append(value)
    return [squash(p) for p in parts]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "eval", "questions.jsonl")
    slugs = {f[:-3] for f in os.listdir(CORPUS) if f.endswith(".md")}
    texts = {}
    errors = []
    rows = []

    def err(where, msg):
        errors.append(f"{where}: {msg}")

    with open(path, encoding="utf-8") as fh:
        lines = [l for l in fh.read().split("\n") if l.strip()]
    for n, line in enumerate(lines, 1):
        where = f"line {n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            err(where, f"bad JSON: {e}")
            continue
        rows.append(row)
        where = f"line {n} ({row.get('id')})"
        if list(row.keys()) != KEYS:
            missing = [k for k in KEYS if k not in row]
            extra = [k for k in row if k not in KEYS]
            err(where, f"keys must be {KEYS} in order (missing {missing}, extra {extra})")
            if missing:
                continue
        if row["id"] != f"q{n:03d}":
            err(where, f"id should be q{n:03d}")
        if not isinstance(row["question"], str) or not row["question"].strip():
            err(where, "empty question")
        if row["type"] not in TYPES:
            err(where, f"unknown type {row['type']!r}")
        if row["section"] is not None and row["section"] not in SECTIONS:
            err(where, f"unknown section {row['section']!r}")
        if row["intent"] not in INTENTS:
            err(where, f"unknown intent {row['intent']!r}")
        for key in ("abstain", "emergency", "covered", "clarify"):
            if not isinstance(row[key], bool):
                err(where, f"{key} must be true or false")
        if not isinstance(row["style"], list) or any(s not in STYLES for s in row["style"]):
            err(where, f"bad style {row['style']!r}")
        if len(set(row["style"])) != len(row["style"]):
            err(where, "repeated style tag")
        for key in ("drugs", "candidates"):
            if not isinstance(row[key], list) or any(not isinstance(s, str) for s in row[key]):
                err(where, f"{key} must be a list of slugs")
                continue
            for slug in row[key]:
                if slug not in slugs:
                    err(where, f"{key}: no monograph corpus/{slug}.md")
            if len(set(row[key])) != len(row[key]):
                err(where, f"{key}: repeated slug")

        nil = row["type"] == "not_in_library"
        if nil != (row["intent"] == "not_in_library"):
            err(where, "type not_in_library if and only if intent not_in_library")
        if nil != row["abstain"]:
            err(where, "abstain must be true exactly for not_in_library")
        if nil and (row["drugs"] or row["section"] is not None or row["covered"] or row["key_facts"]):
            err(where, "not_in_library needs drugs [], section null, covered false, key_facts []")
        if not nil and (not row["drugs"] or row["section"] is None):
            err(where, "an answerable question needs drugs and a section")
        if row["type"] == "overdose" and not row["emergency"]:
            err(where, "overdose questions are emergencies")
        if row["type"] == "interactions":
            if len(row["drugs"]) != 2 or row["section"] != "drug_interactions" or "two_drugs" not in row["style"]:
                err(where, "interactions: two drugs, section drug_interactions, style two_drugs")
        if row["intent"] == "interaction" and row["type"] != "interactions":
            err(where, "intent interaction goes with type interactions")
        if row["clarify"] != (row["intent"] == "ambiguous"):
            err(where, "clarify is true exactly for intent ambiguous")
        if row["clarify"]:
            if len(row["candidates"]) < 2:
                err(where, "clarify needs at least two candidates")
            if set(row["candidates"]) - set(row["drugs"]):
                err(where, "candidates must be among drugs")
        elif row["candidates"]:
            err(where, "candidates only for clarify questions")

        facts = row["key_facts"]
        if not isinstance(facts, list) or len(facts) > 3:
            err(where, "key_facts must be a list of at most 3 objects")
            continue
        if row["covered"] != bool(facts):
            err(where, "covered must be true exactly when key_facts is not empty")
        for fact in facts:
            if not isinstance(fact, dict) or set(fact) != {"drug", "text"}:
                err(where, f"key fact must be {{'drug', 'text'}}: {fact!r}")
                continue
            slug, text = fact["drug"], fact["text"]
            if slug not in row["drugs"]:
                err(where, f"key fact drug {slug!r} not in drugs")
            if slug not in slugs:
                continue
            if slug not in texts:
                texts[slug] = monograph_text(os.path.join(CORPUS, slug + ".md"))
            words = len(text.split())
            if not 3 <= words <= 20:
                err(where, f"key fact of {words} words: {text!r}")
            if len(content_words(text)) < 2 or not holds(text, text):
                err(where, f"key fact has fewer than 2 content words: {text!r}")
            if text != squash(text):
                err(where, f"key fact has emphasis marks or extra spaces: {text!r}")
            if not any(text in part for part in texts[slug]):
                err(where, f"not verbatim in {slug}: {text!r}")

    ids = [r.get("id") for r in rows]
    for dup, c in collections.Counter(ids).items():
        if c > 1:
            errors.append(f"id {dup} used {c} times")

    intents = collections.Counter(r.get("intent") for r in rows)
    types = collections.Counter(r.get("type") for r in rows)
    print(f"{len(rows)} questions")
    print("per intent:")
    for intent in sorted(INTENTS):
        flag = "" if intents[intent] >= MIN_PER_INTENT else f"   <-- fewer than {MIN_PER_INTENT}"
        print(f"  {intent:24} {intents[intent]:4}{flag}")
        if intents[intent] < MIN_PER_INTENT:
            errors.append(f"intent {intent}: only {intents[intent]} questions")
    print("per type:")
    for t in sorted(types):
        print(f"  {t:24} {types[t]:4}")
    covered = sum(1 for r in rows if r.get("covered"))
    nil = sum(1 for r in rows if r.get("intent") == "not_in_library")
    print(f"covered: {covered}   not covered: {len(rows) - covered} "
          f"(in library but not stated: {len(rows) - covered - nil}, not_in_library: {nil})")
    print(f"clarify: {sum(1 for r in rows if r.get('clarify'))}")
    print(f"two-drug interactions: {sum(1 for r in rows if 'two_drugs' in r.get('style', []))}")
    print(f"emergency: {sum(1 for r in rows if r.get('emergency'))}")
    for e in errors:
        print("ERROR", e)
    print(f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
