"""Adapters that write manifests (manifest.py) for the datasets the project knows.

  python -m mer.data.adapters NAME --out FILE.jsonl [--root DIR]

NAME:
- ``iemocap-dai``: IEMOCAP raw data as reorganised by Dai et al. 2021 (the paper's data):
  ``ROOT/IEMOCAP_RAW_PROCESSED/meta.pkl`` (id -> {"text", "label"}; label one of ang, exc, fru,
  hap, neu, sad), one folder per utterance ``ROOT/IEMOCAP_RAW_PROCESSED/<session>/<id>/`` with
  ``audio_L.wav``/``audio_R.wav`` (the speaker's side: L when the session's gender letter equals
  the utterance's) and frames ``image_L_<n>.jpg``/``image_R_<n>.jpg`` at 30 fps; splits from
  ``ROOT/IEMOCAP_SPLIT/{train,valid,test}_split.txt`` (Dai's release; ``IEMOCAP_split``, the
  spelling of Dai's GitHub repository, also read), or from ``--splits DIR`` (that folder or one
  holding it, e.g. ../shared/data/dai2021_splits). No split lists: an error, never a silent fallback.
- ``mosei-dai``: CMU-MOSEI likewise: ``ROOT/MOSEI_RAW_PROCESSED/meta.pkl`` (id -> {"text",
  "label": 6-vector anger, disgust, fear, happy, sad, surprise}), ``<id>/audio.wav`` and
  ``<id>/image_<n>.jpg`` (30 fps); splits ``MOSEI_SPLIT``/``MOSEI_split`` or ``--splits``. A clip
  whose label vector has no positive emotion is kept with ``labels: []`` (Dai et al. keep these
  as all-zero targets; configs with ``data.keep_unlabelled: true`` train and score on them).
- ``iemocap-dev-av``: ../shared/data/iemocap_dev_av (72 clips, split ``dev``, ``fold`` 0-4
  stratified by label for cross-validation).
- ``fer2013`` (faces; train / valid / test), ``ckplus`` (faces; folds by subject-less hash),
  ``emodb`` (speech; ``speaker`` set, split train / valid / test by speaker),
  ``goemotions``, ``meld``, ``iemocap-text`` (text; their own splits, ``dev`` -> ``valid``).

Frame folders (the Dai layouts) are kept as ``video`` = the folder; ``mer.data.prepare`` reads
frames from it at the segment times and runs the same face alignment as the browser.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import pickle
from pathlib import Path
from typing import Iterator

from .manifest import write_manifest

SHARED = Path(__file__).resolve().parents[4] / "shared"
DAI_SPLITS = SHARED / "data" / "dai2021_splits"
MOSEI_ORDER = ("anger", "disgust", "fear", "happy", "sad", "surprise")


SPLIT_FILES = tuple(f"{split}_split.txt" for split in ("train", "valid", "test"))


def split_folder(root: Path, dataset: str, splits: str | Path | None = None) -> Path:
    """The folder with Dai's ``{train,valid,test}_split.txt`` for ``dataset`` (IEMOCAP or MOSEI):
    ``splits`` itself or its ``<DATASET>_SPLIT``/``<DATASET>_split``, else ROOT's. Never a guess."""
    names = (f"{dataset}_SPLIT", f"{dataset}_split")
    if splits is not None:
        candidates = [Path(splits)] + [Path(splits) / n for n in names]
    else:
        candidates = [root / n for n in names]
    for folder in candidates:
        if all((folder / f).is_file() for f in SPLIT_FILES):
            return folder
    raise FileNotFoundError(
        f"no {dataset} split lists ({', '.join(SPLIT_FILES)}) in any of: {', '.join(map(str, candidates))}. "
        f"Dai et al.'s release has them in ROOT/{names[0]}; else pass --splits DIR"
        + (f" (this project's copy: --splits {DAI_SPLITS})" if DAI_SPLITS.exists() else ""))


def _splits(root: Path, dataset: str, splits: str | Path | None = None) -> dict[str, str]:
    """utterance id -> split."""
    base = split_folder(root, dataset, splits)
    out = {}
    for split in ("train", "valid", "test"):
        for line in (base / f"{split}_split.txt").read_text().split():
            out[line.strip()] = split
    return out


def iemocap_dai(root: Path, splits: str | Path | None = None) -> Iterator[dict]:
    main = root / "IEMOCAP_RAW_PROCESSED"
    with open(main / "meta.pkl", "rb") as fh:
        meta = pickle.load(fh)
    folders = {p.name: p for p in main.glob("*/*") if p.is_dir()}
    for uid, split in _splits(root, "IEMOCAP", splits).items():
        entry = meta[uid]
        parts = uid.split("_")
        side = "L" if parts[0][-1] == parts[-1][0] else "R"
        folder = folders.get(uid)
        if folder is None:
            raise FileNotFoundError(f"{main}: no folder for utterance {uid}")
        yield {"id": uid, "split": split, "labels": [entry["label"]], "transcript": entry["text"],
               "audio": str(folder / f"audio_{side}.wav"), "video": str(folder / f"image_{side}_"),
               "source": "iemocap", "speaker": parts[0][:5] + parts[-1][0]}


def mosei_dai(root: Path, splits: str | Path | None = None) -> Iterator[dict]:
    main = root / "MOSEI_RAW_PROCESSED"
    with open(main / "meta.pkl", "rb") as fh:
        meta = pickle.load(fh)
    for uid, split in _splits(root, "MOSEI", splits).items():
        entry = meta[uid]
        labels = [name for name, v in zip(MOSEI_ORDER, entry["label"]) if float(v) > 0]
        yield {"id": uid, "split": split, "labels": labels, "transcript": entry["text"],
               "audio": str(main / uid / "audio.wav"), "video": str(main / uid / "image_"),
               "source": "mosei"}


def _fold(key: str, folds: int = 5) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % folds


def iemocap_dev_av(root: Path = SHARED / "data" / "iemocap_dev_av") -> Iterator[dict]:
    with open(root / "labels.csv", newline="", encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: (r["emotion"], r["id"]))
    counters: dict[str, int] = {}
    for r in rows:   # stratified folds: the k-th clip of each emotion goes to fold k mod 5
        k = counters.get(r["emotion"], 0)
        counters[r["emotion"]] = k + 1
        yield {"id": r["id"], "split": "dev", "labels": [r["emotion"]], "transcript": r["transcript"],
               "video": str(root / "clips" / f"{r['id']}.mp4"), "source": "iemocap_dev_av",
               "speaker": "Ses01M", "fold": k % 5}


def fer2013(root: Path = SHARED / "data" / "fer2013") -> Iterator[dict]:
    for folder, split in (("train", "train"), ("validation", "valid"), ("test", "test")):
        for path in sorted((root / folder).glob("*/*")):
            yield {"id": f"fer/{folder}/{path.parent.name}/{path.stem}", "split": split,
                   "labels": [path.parent.name], "image": str(path), "source": "fer2013"}


def ckplus(root: Path = SHARED / "data" / "ckplus48" / "CK+48") -> Iterator[dict]:
    for path in sorted(root.glob("*/*")):
        subject = path.stem.split("_")[0]     # S005_001_... -> hold out whole subjects
        fold = _fold(subject)
        split = "test" if fold == 0 else ("valid" if fold == 1 else "train")
        yield {"id": f"ck/{path.parent.name}/{path.stem}", "split": split, "labels": [path.parent.name],
               "image": str(path), "source": "ckplus", "speaker": subject, "fold": fold}


EMODB_LETTERS = {"W": "anger", "L": "boredom", "E": "disgust", "A": "fear", "F": "happiness",
                 "T": "sadness", "N": "neutral"}
EMODB_TEST_SPEAKERS = ("03", "08")      # one male, one female
EMODB_VALID_SPEAKERS = ("09",)


def emodb(root: Path = SHARED / "data" / "emodb") -> Iterator[dict]:
    for path in sorted((root / "wav").glob("*.wav")):
        speaker, letter = path.stem[:2], path.stem[5]
        split = "test" if speaker in EMODB_TEST_SPEAKERS else "valid" if speaker in EMODB_VALID_SPEAKERS else "train"
        yield {"id": f"emodb/{path.stem}", "split": split, "labels": [EMODB_LETTERS[letter]],
               "audio": str(path), "source": "emodb", "speaker": speaker}


def _text_rows(name: str) -> Iterator[dict]:
    from ..text import datasets   # the text engineer's readers (Ekman-7 multi-hot)
    from .labels import label_names
    names = label_names("ekman7")
    for split in ("train", "dev", "test"):
        for i, s in enumerate(datasets.load(name, split)):
            yield {"id": f"{name}/{split}/{i}", "split": "valid" if split == "dev" else split,
                   "labels": [names[j] for j, v in enumerate(s.labels) if v > 0], "transcript": s.text,
                   "source": name}


ADAPTERS = {
    "iemocap-dai": lambda root, splits=None: iemocap_dai(Path(root), splits),
    "mosei-dai": lambda root, splits=None: mosei_dai(Path(root), splits),
    "iemocap-dev-av": lambda root: iemocap_dev_av(Path(root)) if root else iemocap_dev_av(),
    "fer2013": lambda root: fer2013(Path(root)) if root else fer2013(),
    "ckplus": lambda root: ckplus(Path(root)) if root else ckplus(),
    "emodb": lambda root: emodb(Path(root)) if root else emodb(),
    "goemotions": lambda root: _text_rows("goemotions"),
    "meld": lambda root: _text_rows("meld"),
    "iemocap-text": lambda root: _text_rows("iemocap"),
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.data.adapters", description=__doc__.split("\n\n")[0])
    ap.add_argument("name", choices=sorted(ADAPTERS))
    ap.add_argument("--root", help="dataset folder (required for iemocap-dai and mosei-dai)")
    ap.add_argument("--splits", help="*-dai: folder with Dai's {train,valid,test}_split.txt (or one holding "
                    "IEMOCAP_SPLIT / MOSEI_SPLIT); default ROOT/<DATASET>_SPLIT or ROOT/<DATASET>_split")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    if args.name.endswith("-dai") and not args.root:
        ap.error(f"{args.name} needs --root (the folder holding {args.name.split('-')[0].upper()}_RAW_PROCESSED)")
    if args.splits and not args.name.endswith("-dai"):
        ap.error("--splits is for iemocap-dai and mosei-dai")
    rows = ADAPTERS[args.name](args.root, args.splits) if args.name.endswith("-dai") else ADAPTERS[args.name](args.root)
    count = write_manifest(args.out, rows)
    print(json.dumps({"manifest": args.out, "rows": count}))


if __name__ == "__main__":
    main()
