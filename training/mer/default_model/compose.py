"""Aligned triples for fusion training, composed from the unimodal sets by label, and the
modality dropout that makes every non-empty subset of {audio, visual, text} a training input.

A composed item takes its target class ``c`` uniformly over the classes, then a speech clip
(English speech_en or German EmoDB, voices the audio backbone never trained on), a FER2013 face and a text sentence
of class ``c``. The face is one image repeated over the T segments of the audio (one person per
item, as in a clip); T comes from the audio (1-5 segments as cached), or is drawn from 2-4 when
there is none.

Mismatches (``mismatch_rate`` of the three-modality items): one modality, chosen uniformly,
comes from another class and the target stays ``c``, the class the other two agree on. So the
model cannot learn that any one modality, text included, is always right: two agreeing
modalities outvote the third. Modality dropout then keeps a random non-empty subset of the
present modalities; if it leaves only the mismatched modality, the target becomes that
modality's class (the item is then a clean single-modality example, not a contradiction).

Neutral words (``neutral_text_rate``): acted speech corpora say emotionally neutral sentences
with an emotional voice, and so do people. A share of the matched items of a non-neutral class
get neutral words; their target stays the class voice and face agree on, so the model learns
that neutral words do not make a clip neutral.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

MODALITIES = ("audio", "visual", "text")
SUBSETS = tuple(s for r in (1, 2, 3) for s in itertools.combinations(range(3), r))  # the 7 subsets


@dataclass
class Item:
    """One training sample: indices into the caches, its target class and which modalities it has."""
    label: int
    source: str                         # "real" or "composed"
    real: int | None = None             # index into the real-clip cache
    audio: int | None = None            # speech-clip index
    shift: int = 0                      # augmented view of that clip
    visual: int | None = None           # FER index
    text: int | None = None             # text-sentence index
    segments: int = 1
    mismatched: str | None = None       # the modality drawn from another class
    mismatch_label: int | None = None
    present: tuple = (True, True, True)
    extra: dict = field(default_factory=dict)


def pools(labels, num_classes: int) -> dict[int, np.ndarray]:
    labels = np.asarray(labels)
    return {c: np.flatnonzero(labels == c) for c in range(num_classes)}


def compose_items(n: int, audio_labels, visual_labels, text_labels, num_classes: int, rng: np.random.Generator,
                  mismatch_rate: float = 0.25, audio_segments=None, audio_shifts: int = 1,
                  neutral_text_rate: float = 0.0, neutral: int | None = None, spoken=None) -> list[Item]:
    """``n`` composed items. ``audio_segments[i]``: valid segments of speech item ``i`` (default 1).
    ``neutral_text_rate``: share of the matched three-modality items of a non-neutral class whose
    words are neutral (class ``neutral``; half of them from ``spoken``, the speech clips' own
    sentences) while voice and face carry the emotion: the target stays the emotion."""
    pa, pv, pt = (pools(l, num_classes) for l in (audio_labels, visual_labels, text_labels))
    classes = [c for c in range(num_classes) if len(pv[c]) and len(pt[c])]
    if not classes:
        raise ValueError("no class has both faces and sentences")
    items = []
    for _ in range(n):
        c = int(rng.choice(classes))
        has_audio = len(pa[c]) > 0
        item = Item(label=c, source="composed", visual=int(rng.choice(pv[c])), text=int(rng.choice(pt[c])),
                    present=(has_audio, True, True))
        if has_audio:
            item.audio = int(rng.choice(pa[c]))
            item.shift = int(rng.integers(audio_shifts))
            item.segments = int(audio_segments[item.audio]) if audio_segments is not None else 1
        else:
            item.segments = int(rng.integers(2, 5))
        if has_audio and rng.random() < mismatch_rate:
            modality = MODALITIES[int(rng.integers(3))]
            pool = (pa, pv, pt)[MODALITIES.index(modality)]
            others = [k for k in range(num_classes) if k != c and len(pool[k])]
            k = int(rng.choice(others))
            setattr(item, modality, int(rng.choice(pool[k])))
            if modality == "audio":
                item.segments = int(audio_segments[item.audio]) if audio_segments is not None else 1
            item.mismatched, item.mismatch_label = modality, k
        elif has_audio and neutral is not None and c != neutral and rng.random() < neutral_text_rate:
            pool = spoken if spoken is not None and len(spoken) and rng.random() < 0.5 else pt[neutral]
            item.text = int(rng.choice(pool))
            item.mismatched, item.mismatch_label = "text", neutral
        items.append(item)
    return items


def drop_modalities(present: tuple, rng: np.random.Generator, rate: float) -> tuple:
    """With probability ``rate``, keep a uniformly chosen non-empty subset of the present modalities."""
    have = [m for m in range(3) if present[m]]
    if not have or rng.random() >= rate:
        return tuple(bool(p) for p in present)
    options = [s for s in SUBSETS if all(m in have for m in s)]
    keep = options[int(rng.integers(len(options)))]
    return tuple(m in keep for m in range(3))


def apply_dropout(item: Item, rng: np.random.Generator, rate: float) -> Item:
    """A copy of ``item`` with modality dropout applied and its target fixed up (see module doc)."""
    present = drop_modalities(item.present, rng, rate)
    label = item.label
    if item.mismatched is not None:
        m = MODALITIES.index(item.mismatched)
        if present[m] and sum(present) == 1:
            label = item.mismatch_label
    return Item(**{**item.__dict__, "present": present, "label": label})
