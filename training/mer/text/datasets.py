"""The text emotion sets in ../shared/data, read in place as (text, Ekman-7 multi-hot) rows:

- GoEmotions, Ekman grouping (multi-label; ``goemotions/ekman/{train,dev,test}.tsv``, label
  ids index ``labels.txt``);
- MELD utterances (``meld_text/{train,dev,test}_sent_emo.csv``, 7 classes);
- IEMOCAP transcripts of sessions 2-5 (``iemocap_text/iemocap_sessions2-5.jsonl``; split
  train/valid/test as COSMIC, test = session 5; ang, fru -> anger, hap, exc -> happiness).
Splits are named ``train``, ``dev``, ``test`` for all three.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mer.data.labels import encode

SHARED_DATA = Path(__file__).resolve().parents[4] / "shared/data"
DATASETS = ("goemotions", "meld", "iemocap")
SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class TextSample:
    text: str
    labels: np.ndarray  # float32 [7], Ekman-7 order
    dataset: str
    split: str


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split {split!r}: valid are {SPLITS}")


def goemotions(split: str, root: Path = SHARED_DATA) -> list[TextSample]:
    _check_split(split)
    folder = root / "goemotions/ekman"
    names = folder.joinpath("labels.txt").read_text().split()
    out = []
    with open(folder / f"{split}.tsv", newline="", encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            emotions = [names[int(i)] for i in row[1].split(",")]
            out.append(TextSample(row[0], encode(emotions, "ekman7"), "goemotions", split))
    return out


def meld(split: str, root: Path = SHARED_DATA) -> list[TextSample]:
    _check_split(split)
    out = []
    with open(root / f"meld_text/{split}_sent_emo.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.append(TextSample(row["Utterance"], encode([row["Emotion"]], "ekman7"), "meld", split))
    return out


def iemocap(split: str, root: Path = SHARED_DATA) -> list[TextSample]:
    _check_split(split)
    wanted = {"train": "train", "dev": "valid", "test": "test"}[split]
    out = []
    with open(root / "iemocap_text/iemocap_sessions2-5.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["split"] == wanted:
                labels = encode([row["label"]], "ekman7")
                if labels.any():
                    out.append(TextSample(row["text"], labels, "iemocap", split))
    return out


LOADERS = {"goemotions": goemotions, "meld": meld, "iemocap": iemocap}


def load(dataset: str, split: str, root: Path = SHARED_DATA) -> list[TextSample]:
    if dataset not in LOADERS:
        raise ValueError(f"dataset {dataset!r}: valid are {DATASETS}")
    return LOADERS[dataset](split, root)
