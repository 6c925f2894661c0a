"""The one dataset format: a JSONL manifest, one sample per line.

Fields (paths relative to the manifest's folder unless absolute):
  id          str, unique
  split       str (train / valid / test / dev, or anything a config names)
  labels      list of emotion names in any known spelling (mer/data/labels.py), e.g. ["fru"]
  transcript  str or null
  video       a video file (audio and faces taken from it)           } media, turned into
  audio       an audio file (or a video whose audio track is used)   } ``features`` by
  image       one face image (a unimodal face sample, T = 1)           mer.data.prepare
  features    .npz with any of: log_mel [T,96,64], audio_mask [T], faces [T,C,S,S] (centre
              frames, [0,1]), visual_mask [T], faces_random [T,K,C,S,S] + faces_random_mask [T,K]
              (random frames inside each segment, for training), text_cls [D]
  text_cls    .npy [D] (precomputed I_t) — optional, overrides features' text_cls
  source, speaker, fold   optional bookkeeping (adapters fill them)
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

PATH_FIELDS = ("video", "audio", "image", "features", "text_cls")
KNOWN_FIELDS = frozenset(("id", "split", "labels", "transcript", "source", "speaker", "fold", "start", "end")
                         + PATH_FIELDS)


def read_manifest(path: str | Path) -> list[dict]:
    """Rows with paths made absolute; validates required fields and unknown keys."""
    path = Path(path)
    rows, seen = [], set()
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            where = f"{path}:{number}"
            for key in ("id", "split", "labels"):
                if key not in row:
                    raise ValueError(f"{where}: missing {key!r}")
            unknown = set(row) - KNOWN_FIELDS
            if unknown:
                raise ValueError(f"{where}: unknown fields {sorted(unknown)}; valid are {sorted(KNOWN_FIELDS)}")
            if row["id"] in seen:
                raise ValueError(f"{where}: duplicate id {row['id']!r}")
            seen.add(row["id"])
            for key in PATH_FIELDS:
                if row.get(key):
                    row[key] = str((path.parent / row[key]).resolve()) if not Path(row[key]).is_absolute() else row[key]
            rows.append(row)
    return rows


def write_manifest(path: str | Path, rows: Iterable[dict], relative: bool = True) -> int:
    """Write rows (paths made relative to the manifest folder when ``relative``); returns the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            row = dict(row)
            if relative:
                for key in PATH_FIELDS:
                    if row.get(key):
                        try:
                            row[key] = str(Path(row[key]).resolve().relative_to(path.parent.resolve()))
                        except ValueError:
                            row[key] = str(Path(row[key]).resolve())
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def by_split(rows: Iterable[dict], split: str | Iterable[str]) -> list[dict]:
    wanted = {split} if isinstance(split, str) else set(split)
    return [r for r in rows if r["split"] in wanted]


def iter_media_rows(rows: Iterable[dict]) -> Iterator[dict]:
    return (r for r in rows if (r.get("video") or r.get("audio")) and not r.get("features"))
