"""Compose tri-modal training samples from unimodal sets by label (issue 6): a voice from one
manifest, a face from another, a sentence from a third, all with the same emotion.

  python -m mer.data.compose --audio A.jsonl --visual V.jsonl --text T.jsonl --out OUT.jsonl
                             [--per-split train=6000,valid=600] [--mismatch 0.25] [--labels ekman7]

Inputs are prepared manifests (mer.data.prepare): audio rows carry ``features`` (log-mel), face
rows an ``image`` (or ``features`` with faces), text rows ``features`` holding ``text_cls`` (or a
``transcript`` for end-to-end BERT). Each composed sample draws one class, then one row of that
class per modality from the same split. With probability ``--mismatch`` one modality (chosen at
random) comes from a different class and the target stays the class the other two agree on, so
the fusion learns that no single modality is always right. Seeded; ids name their sources.
"""
from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict

from .labels import encode, label_names
from .manifest import read_manifest, write_manifest


def _by_class(rows: list[dict], label_set) -> dict[str, dict[int, list[dict]]]:
    """split -> class index -> rows whose labels hold exactly that one class."""
    out: dict[str, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        hot = encode(row["labels"], label_set)
        if hot.sum() == 1:
            out[row["split"]][int(hot.argmax())].append(row)
    return out


def compose(audio: list[dict], visual: list[dict], text: list[dict], per_split: dict[str, int],
            mismatch: float = 0.25, label_set="ekman7", seed: int = 0) -> list[dict]:
    names = label_names(label_set)
    pools = [_by_class(audio, label_set), _by_class(visual, label_set), _by_class(text, label_set)]
    rng = random.Random(seed)
    rows = []
    for split, count in per_split.items():
        classes = [c for c in range(len(names)) if all(pool[split].get(c) for pool in pools)]
        if not classes:
            raise ValueError(f"split {split!r}: no class has audio, visual and text rows")
        for i in range(count):
            target = classes[i % len(classes)]
            picks = [target] * 3
            if len(classes) > 1 and rng.random() < mismatch:
                picks[rng.randrange(3)] = rng.choice([c for c in classes if c != target])
            a, v, t = (rng.choice(pool[split][c]) for pool, c in zip(pools, picks))
            row = {"id": f"composed/{split}/{i}:{a['id']}+{v['id']}+{t['id']}", "split": split,
                   "labels": [names[target]], "source": "composed" + ("-mismatch" if len(set(picks)) > 1 else "")}
            if a.get("features"):
                row["features"] = a["features"]
            if v.get("image"):
                row["image"] = v["image"]
            elif v.get("features") and not a.get("features"):
                row["features"] = v["features"]
            if t.get("features"):
                row["text_cls"] = t["features"]
            if t.get("text_cls"):
                row["text_cls"] = t["text_cls"]
            if t.get("transcript"):
                row["transcript"] = t["transcript"]
            rows.append(row)
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.data.compose", description=__doc__.split("\n\n")[0])
    ap.add_argument("--audio", required=True)
    ap.add_argument("--visual", required=True)
    ap.add_argument("--text", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-split", default="train=6000,valid=600", help="split=count,...")
    ap.add_argument("--mismatch", type=float, default=0.25)
    ap.add_argument("--labels", default="ekman7")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    per_split = {k: int(v) for k, v in (p.split("=") for p in args.per_split.split(","))}
    rows = compose(read_manifest(args.audio), read_manifest(args.visual), read_manifest(args.text),
                   per_split, args.mismatch, args.labels, args.seed)
    print(json.dumps({"manifest": args.out, "rows": write_manifest(args.out, rows)}))


if __name__ == "__main__":
    main()
