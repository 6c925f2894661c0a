"""Label sets (docs/CONTRACTS.md "Label set"): every dataset's emotion names are first
normalised to canonical codes, then a label set maps codes to its classes (multi-hot).

- ``ekman7`` (the app's default): anger, disgust, fear, happiness, sadness, surprise, neutral;
  IEMOCAP ang, fru -> anger; hap, exc -> happiness; sad; neu; sur; fea; dis.
- ``iemocap6`` (the paper's IEMOCAP, Dai et al. 2021's order): ang, exc, fru, hap, neu, sad.
- ``mosei6`` (the paper's CMU-MOSEI, Dai et al. 2021's order): anger, disgust, fear, happy, sad, surprise.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Iterable, Sequence

import numpy as np

# Dataset spellings -> canonical code. None = a known emotion no label set uses (ignored).
ALIASES = MappingProxyType({
    "ang": "ang", "anger": "ang", "angry": "ang",
    "fru": "fru", "frustrated": "fru", "frustration": "fru",
    "hap": "hap", "happy": "hap", "happiness": "hap", "joy": "hap",
    "exc": "exc", "excited": "exc", "excitement": "exc",
    "sad": "sad", "sadness": "sad",
    "neu": "neu", "neutral": "neu",
    "sur": "sur", "surprise": "sur", "surprised": "sur",
    "fea": "fea", "fear": "fea", "fearful": "fea",
    "dis": "dis", "disgust": "dis", "disgusted": "dis",
    "contempt": None, "boredom": None, "oth": None, "xxx": None, "other": None,
})

LABEL_SETS = MappingProxyType({
    "ekman7": (("anger", ("ang", "fru")), ("disgust", ("dis",)), ("fear", ("fea",)),
               ("happiness", ("hap", "exc")), ("sadness", ("sad",)), ("surprise", ("sur",)),
               ("neutral", ("neu",))),
    "iemocap6": (("ang", ("ang",)), ("exc", ("exc",)), ("fru", ("fru",)), ("hap", ("hap",)),
                 ("neu", ("neu",)), ("sad", ("sad",))),
    "mosei6": (("anger", ("ang",)), ("disgust", ("dis",)), ("fear", ("fea",)), ("happy", ("hap",)),
               ("sad", ("sad",)), ("surprise", ("sur",))),
})


def canonical(name: str) -> str | None:
    key = name.strip().lower()
    if key not in ALIASES:
        raise ValueError(f"unknown emotion {name!r}: known spellings are {sorted(ALIASES)}")
    return ALIASES[key]


def _table(label_set: str | Sequence[str]):
    if isinstance(label_set, str):
        if label_set not in LABEL_SETS:
            raise ValueError(f"label set {label_set!r}: valid are {sorted(LABEL_SETS)} or a list of emotion names")
        return LABEL_SETS[label_set]
    return tuple((name, (canonical(name),)) for name in label_set)


def label_names(label_set: str | Sequence[str]) -> list[str]:
    return [name for name, _ in _table(label_set)]


def encode(emotions: Iterable[str], label_set: str | Sequence[str]) -> np.ndarray:
    """Emotion names of one sample (any known spelling) -> multi-hot float32 [M]."""
    codes = {canonical(e) for e in emotions} - {None}
    return np.array([float(any(c in codes for c in sources)) for _, sources in _table(label_set)],
                    dtype=np.float32)


def in_label_set(emotions: Iterable[str], label_set) -> bool:
    """True when the sample has at least one class of the set (others are usually skipped)."""
    return bool(encode(emotions, label_set).any())
