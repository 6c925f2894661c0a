"""Feature caches for the default model's fusion training (training/.cache/default_model/).

The audio and visual backbones are frozen through their last convolution group, so each
segment is stored as its group-5 feature map: what the SEM after conv5 (``sem_after: [5]``) and
everything behind it take as input. Training then never runs a CNN (2 shared CPU cores).

- real clips (../shared/data/iemocap_dev_av, 72): log-mel patches and silence mask
  (``mer.features.logmel``), face crops and face mask (``mer.features.face_align``, cached by
  H4), I_t of the transcript, all through the browser's own front ends' Python twins;
- speech audio (``speech``): English acted speech (speech_en: RAVDESS, CREMA-D) and German EmoDB
  of ``FUSION_FIT_SPEAKERS``, speakers the fine-tuned YAMNet never heard, as group-5 maps (3
  augmented views, at most 5 segments per clip);
- FER2013 train faces (48x48 grey, the crops' target framing), a class-balanced sample;
- text: GoEmotions-Ekman and MELD dev + test and IEMOCAP dev sentences with one label (splits the
  text encoder never trained on), plus the speech clips' own emotionally neutral sentences ("Kids
  are talking by the door") as neutral text, so the fusion sees neutral words over an emotional voice.

Why unseen voices and sentences (stacking): on its own training speakers the fine-tuned YAMNet is
right for 81% of clips, on new speakers for 52-55%; the text encoder is likewise surer of its
training sentences. Fusion trained on those learns to trust voice and words more than they deserve
on a stranger's clip. Fed what the encoders never saw, it learns their real reliability (72 dev
clips, 4-fold CV, seeds 0 / 1 / 2: fused top-1 with transcript 0.431 / 0.431 / 0.458 -> 0.486 /
0.500 / 0.458, without 0.347 / 0.375 / 0.389 -> 0.486 / 0.472 / 0.375; the fused graph on the
held-out evaluation speakers' voices alone, n = 288, unchanged: 0.556 / 0.562 / 0.521 -> 0.569 /
0.510 / 0.566, with fewer voices to learn from).
FER2013 faces stay from train: the face CNN is about as right there (0.63) as on its test set (0.62).

    python -m mer.default_model.features [--config training/configs/default_fusion.yaml]
                                         [--browser-features DIR]

``--browser-features DIR``: the real clips' log-mel, face crops, masks and I_t come from the
folder ``npm run prepare-dataset`` wrote (the app's own pipeline in headless Chromium) instead of
the Python twins, so the fusion trains on exactly what the browser feeds it.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from ..config import REPO_ROOT, TRAINING_DIR, load_config, load_features
from ..data.labels import encode
from ..heads import VoiceStatsHead
from ..model import MERModel, build_model

SHARED = REPO_ROOT.parent / "shared"
DEV_AV = SHARED / "data" / "iemocap_dev_av"
CACHE = TRAINING_DIR / ".cache" / "default_model"
DEFAULT_CONFIG = TRAINING_DIR / "configs" / "default_fusion.yaml"
TEXT_CHECKPOINTS = (TRAINING_DIR / "checkpoints" / "text_bert.pt",       # H6's final
                    TRAINING_DIR / ".cache" / "text_default" / "best.pt")  # its best so far
# Camera issue found by the face track: in Ses01F_* clips the woman, not the labelled male
# speaker, is on camera.
WRONG_FACE_PREFIX = "Ses01F_"


def text_checkpoint() -> Path | None:
    return next((p for p in TEXT_CHECKPOINTS if p.exists()), None)


def file_tag(*paths, spec=None) -> str:
    h = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode())
    for p in paths:
        if p is None:
            h.update(b"none")
        else:
            st = Path(p).stat()
            h.update(f"{p}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:10]


@torch.no_grad()
def frozen_maps(encoder, x: torch.Tensor, batch: int = 256) -> torch.Tensor:
    """Stem + every convolution group (all frozen): [N, ...] -> group-5 maps [N, C, H, W] fp16."""
    out = []
    for i in range(0, len(x), batch):
        h = encoder.backbone.stem(x[i:i + batch].float())
        for stage in encoder.backbone.stages:
            h = stage(h)
        out.append(h.half())
    return torch.cat(out) if out else torch.zeros(0)


@torch.no_grad()
def voice_stats_logits(model: MERModel, early_maps: torch.Tensor, batch: int = 256) -> torch.Tensor | None:
    """The model's voice-statistics head on cached early-group maps [..., C, H, W] -> [..., M]
    (None when the model has no such head)."""
    return None if model.voice_stats is None else fold_logits([model.voice_stats], early_maps, batch)[0]


def voice_stats_folds(model: MERModel) -> tuple[list[VoiceStatsHead], dict[str, VoiceStatsHead], list[int] | None]:
    """The classifiers a voice-statistics checkpoint trained with the dev clips holds besides its
    own (``mer.pretrain.voice_stats --real-clips``): one without each CV fold's clips, one without
    each pair of folds (``"k-j"``), and the fold of each dev clip; empty when it has none."""
    spec = model.config["model"]["audio"].get("voice_stats")
    if model.voice_stats is None or not spec or not spec.get("weights"):
        return [], {}, None
    state = torch.load(spec["weights"], map_location="cpu")

    def head(buffers: dict) -> VoiceStatsHead:
        return VoiceStatsHead(model.voice_stats.mean.numel(), model.num_classes, model.voice_stats.group).load_buffers(buffers).eval()

    fold_of = state["fold_of"].tolist() if "fold_of" in state else None
    return [head(f) for f in state.get("folds", [])], {k: head(p) for k, p in state.get("pairs", {}).items()}, fold_of


@torch.no_grad()
def fold_logits(heads: list[VoiceStatsHead], early_maps: torch.Tensor, batch: int = 256) -> list[torch.Tensor]:
    """Each voice-statistics head on cached early-group maps [..., C, H, W] -> [..., M]; the
    statistics of each batch are computed once for all heads."""
    lead = early_maps.shape[:-3]
    flat = early_maps.reshape((-1,) + tuple(early_maps.shape[-3:]))
    parts: list[list[torch.Tensor]] = [[] for _ in heads]
    for i in range(0, len(flat) if heads else 0, batch):   # no heads: nothing to compute
        stats = VoiceStatsHead.statistics(flat[i:i + batch].float())
        for out, h in zip(parts, heads):
            out.append(h.classify(stats))
    return [(torch.cat(p) if p else torch.zeros(0, h.weight.shape[0])).reshape(tuple(lead) + (-1,)) for p, h in zip(parts, heads)]


def text_encoder():
    """(TextEncoder, checkpoint path); a random-initialised compact BERT when none is trained yet."""
    from ..text.encoder import TextEncoder
    path = text_checkpoint()
    if path is not None:
        return TextEncoder.from_checkpoint(path), path
    from ..text.bert import BertConfig, BertModel
    from ..text.export import TOKENIZER_DIR
    from ..text.tokenizer import BertWordPieceTokenizer
    torch.manual_seed(0)
    dim = load_features()["text"]["dim"]
    bert = BertModel(BertConfig.from_dict({"hidden_size": dim, "num_hidden_layers": 2,
                                           "num_attention_heads": 4, "intermediate_size": 4 * dim}))
    return TextEncoder(bert, BertWordPieceTokenizer.from_dir(TOKENIZER_DIR, max_length=128)), None


def dev_av_rows() -> list[dict]:
    with open(DEV_AV / "labels.csv", newline="", encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: r["id"])
    names = load_features()["labels"]
    for r in rows:
        y = encode([r["emotion"]], "ekman7")
        r["label"] = int(np.argmax(y))
        assert names[r["label"]] in ("anger", "happiness", "sadness", "neutral", "surprise", "fear", "disgust")
    return rows


def real_clips(model: MERModel, texts, browser_dir: str | Path | None = None) -> dict:
    """The dev clips' frozen maps, masks and I_t; from the Python twins, or with ``browser_dir``
    from the browser-made feature files (``npm run prepare-dataset``), I_t included where present."""
    from ..data.prepare import browser_features, decode_pcm16k
    from ..features.face_align import video_face_crops
    from ..features.logmel import log_mel_patches
    features = load_features()
    rows = dev_av_rows()
    from_browser = browser_features(browser_dir) if browser_dir else None
    browser_text: dict[int, np.ndarray] = {}
    out = {"ids": [], "labels": [], "audio": [], "audio_mask": [], "visual": [], "visual_mask": [],
           "transcripts": [], "wrong_face": [], "source": "browser" if browser_dir else "python twins"}
    folds, pairs, fold_of = voice_stats_folds(model)
    if folds:
        out["voice_stats_fold_of"] = fold_of
        out["voice_stats_pairs"] = {key: [] for key in pairs}
    for i, r in enumerate(rows):
        path = DEV_AV / "clips" / f"{r['id']}.mp4"
        if from_browser is not None:
            if r["id"] not in from_browser:
                raise KeyError(f"{r['id']} is not in {browser_dir}: prepare all {len(rows)} dev clips")
            with np.load(from_browser[r["id"]]) as z:
                mel, amask, faces, vmask = z["log_mel"], z["audio_mask"], z["faces"], z["visual_mask"]
                if "text_cls" in z.files:
                    browser_text[i] = z["text_cls"].astype(np.float32)
        else:
            mel, amask = log_mel_patches(decode_pcm16k(str(path)), features["audio"])
            faces, vmask = video_face_crops(path, len(mel), features["face"])
        out["ids"].append(r["id"])
        out["labels"].append(r["label"])
        mel = torch.from_numpy(np.asarray(mel)).unsqueeze(1)
        if model.voice_stats is None:
            out["audio"].append(frozen_maps(model.audio_encoder, mel))
        else:   # groups 1..g once: their map gives the statistics, and the backbone goes on from it
            from ..pretrain.speech import late_groups
            g = model.voice_stats.group
            with torch.no_grad():
                early = model.audio_encoder.forward_frozen(mel.float(), g)
                out["audio"].append(late_groups(list(model.audio_encoder.backbone.stages)[g:], early).half())
            shipped, *per_fold = fold_logits([model.voice_stats, *folds, *pairs.values()], early)
            out.setdefault("voice_stats", []).append(shipped)
            for k, logits in enumerate(per_fold[:len(folds)]):
                out.setdefault("voice_stats_folds", [[] for _ in folds])[k].append(logits)
            for key, logits in zip(pairs, per_fold[len(folds):]):
                out["voice_stats_pairs"][key].append(logits)
        out["audio_mask"].append(torch.from_numpy(np.asarray(amask, np.float32)))
        out["visual"].append(frozen_maps(model.visual_encoder, torch.from_numpy(np.asarray(faces, np.float32))))
        out["visual_mask"].append(torch.from_numpy(np.asarray(vmask, np.float32)))
        out["transcripts"].append(r["transcript"])
        out["wrong_face"].append(r["id"].startswith(WRONG_FACE_PREFIX))
    text = texts.cls(out["transcripts"])
    for i, vec in browser_text.items():   # the I_t the browser's text encoder gave
        text[i] = vec
    out["text"] = torch.from_numpy(text)
    out["text_from_browser"] = len(browser_text)
    out["labels"] = torch.tensor(out["labels"])
    return out


# Half of mer.pretrain.speech's held-out speakers: the fusion stage learns from their voices how far
# to trust the voice (see the module doc); the other half (HELD_OUT - FUSION_FIT_SPEAKERS) stays
# unheard by every part of the model, for mer.default_model.heldout.
FUSION_FIT_SPEAKERS = frozenset({"ravdess:Actor_16", "ravdess:Actor_17", "ravdess:Actor_18",
                                 "cremad:1088", "cremad:1089", "emodb:03"})
# Splits of mer.text.datasets the text encoder never trained on (mer.pretrain.text trains on "train").
FUSION_TEXT_SPLITS = (("goemotions", ("dev", "test")), ("meld", ("dev", "test")), ("iemocap", ("dev",)))


def speech_audio(model: MERModel, speakers=FUSION_FIT_SPEAKERS) -> dict:
    """Group-5 maps of ``speakers``' speech clips (speech_en + EmoDB, from the cache of
    ``mer.pretrain.speech``; by default voices the audio backbone never trained on):
    ``maps`` [N, views, T<=5, 1024, 3, 2] fp16 through the fused model's own (fine-tuned) YAMNet
    groups 4-5 from the cached frozen group-3 maps, ``mask`` [N, views, T], Ekman ``labels``."""
    from ..pretrain.speech import FREEZE, HELD_OUT, build_cache, late_groups, speech_transcripts
    if not set(speakers) <= HELD_OUT:
        raise ValueError(f"fusion voices must be unheard by the audio backbone; not held out: {sorted(set(speakers) - HELD_OUT)}")
    d = torch.load(build_cache())
    keep = [i for i, s in enumerate(d["speakers"]) if s in speakers]
    backbone = model.audio_encoder.backbone
    if len(backbone.stages) != 5 or d["freeze"] != FREEZE:
        raise ValueError("the speech cache holds YAMNet group-3 maps; the audio backbone must be YAMNet")
    with torch.no_grad():   # [b, V, T, 256, 12, 8] -> [b, V, T, 1024, 3, 2]
        maps = [late_groups(list(backbone.stages)[FREEZE:], d["features"][keep[k:k + 64]]).half()
                for k in range(0, len(keep), 64)]
    transcripts = speech_transcripts()
    paths = [d["paths"][i] for i in keep]
    stats, stats_folds = None, []
    if model.voice_stats is not None:
        if model.voice_stats.group != FREEZE:
            raise ValueError(f"the speech cache holds group-{FREEZE} maps; voice_stats reads group {model.voice_stats.group}")
        stats, *stats_folds = fold_logits([model.voice_stats, *voice_stats_folds(model)[0]], d["features"][keep])   # [N, V, T, M]
    return {"maps": torch.cat(maps), "mask": d["masks"][keep].float(), "labels": d["labels"][keep], "voice_stats": stats,
            "voice_stats_folds": stats_folds or None,
            "speakers": [d["speakers"][i] for i in keep], "datasets": [d["datasets"][i] for i in keep],
            "paths": paths, "transcripts": [transcripts.get(p) for p in paths]}


def fer_faces(model: MERModel, per_class: int, seed: int = 0) -> dict:
    from ..pretrain.fer import LABELS, load_fer2013
    names = load_features()["labels"]
    x, y = load_fer2013("train")
    rng = np.random.default_rng(seed)
    idx = []
    for c in range(len(LABELS)):
        members = np.flatnonzero(y == c)
        idx.extend(rng.choice(members, min(per_class, len(members)), replace=False).tolist())
    idx = np.asarray(sorted(idx))
    faces = torch.from_numpy(x[idx].astype(np.float32) / 255.0).unsqueeze(1)
    labels = torch.tensor([names.index(LABELS[int(c)]) for c in y[idx]])
    return {"maps": frozen_maps(model.visual_encoder, faces), "labels": labels, "index": torch.from_numpy(idx)}


def text_sentences(texts, per_class: int, seed: int = 0) -> dict:
    from ..text.datasets import load
    names = load_features()["labels"]
    by_class: dict[int, list[str]] = {c: [] for c in range(len(names))}
    for dataset, splits in FUSION_TEXT_SPLITS:
        for split in splits:
            for s in load(dataset, split):
                y = np.asarray(s.labels)
                if y.sum() == 1 and len(s.text.split()) >= 2:
                    by_class[int(np.argmax(y))].append(s.text)
    from ..pretrain.speech import speech_transcripts
    rng = np.random.default_rng(seed)
    sentences, labels = [], []
    for c, pool in by_class.items():
        for i in rng.permutation(len(pool))[:per_class]:
            sentences.append(pool[i])
            labels.append(c)
    spoken = sorted(set(t for t in speech_transcripts().values() if t))   # every one, all neutral
    sentences += spoken
    labels += [names.index("neutral")] * len(spoken)
    return {"text": torch.from_numpy(texts.cls(sentences)), "labels": torch.tensor(labels),
            "sentences": sentences, "spoken": torch.arange(len(sentences) - len(spoken), len(sentences))}


VISUAL_SNAPSHOT = CACHE / "visual_fer.snapshot.pt"


def snapshot_visual(config: dict) -> None:
    """Keep a copy of the visual checkpoint the caches are computed with (and its JSON), so the
    exported graph uses the same weights even if the visual track writes a newer one meanwhile."""
    import shutil
    src = config["model"]["visual"]["backbone"].get("pretrained_path")
    if src and Path(src).suffix == ".pt":
        CACHE.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, VISUAL_SNAPSHOT)
        if Path(src).with_suffix(".json").exists():
            shutil.copyfile(Path(src).with_suffix(".json"), VISUAL_SNAPSHOT.with_suffix(".json"))


def sha256_file(path) -> str | None:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path and Path(path).exists() else None


def build_caches(config_path: Path = DEFAULT_CONFIG, per_class_faces: int = 600, per_class_text: int = 600,
                 force: bool = False, browser_dir: str | Path | None = None) -> dict:
    """All caches; each file is rebuilt only when its inputs (config, checkpoints, browser features) change."""
    config = load_config(config_path)
    snapshot_visual(config)
    torch.manual_seed(0)
    model = build_model(config).eval()
    texts, text_path = text_encoder()
    CACHE.mkdir(parents=True, exist_ok=True)
    m = config["model"]
    from ..pretrain.speech import build_cache as speech_cache
    speech_path = speech_cache()
    stats_spec = m["audio"].get("voice_stats")
    audio_tag = file_tag(m["audio"]["backbone"].get("weights") or m["audio"]["backbone"].get("tflite_path")
                         or m["audio"]["backbone"].get("pretrained_path"), *([stats_spec["weights"]] if stats_spec else []),
                         spec=[m["audio"]["backbone"], stats_spec] if stats_spec else m["audio"]["backbone"])
    visual_tag = file_tag(m["visual"]["backbone"].get("pretrained_path"), spec=m["visual"]["backbone"])
    text_tag = file_tag(text_path)
    paths = {
        "real": CACHE / (f"real-{audio_tag}-{visual_tag}-{text_tag}.pt" if not browser_dir else
                         f"real-{audio_tag}-{visual_tag}-{text_tag}-browser{file_tag(Path(browser_dir) / 'manifest.jsonl')}.pt"),
        "speech": CACHE / f"speech-{audio_tag}-{file_tag(speech_path, spec=sorted(FUSION_FIT_SPEAKERS))}.pt",
        "fer": CACHE / f"fer-{visual_tag}-{per_class_faces}.pt",
        "text": CACHE / f"text-{text_tag}-{file_tag(spec=FUSION_TEXT_SPLITS)}-{per_class_text}.pt",
    }
    makers = {"real": lambda: real_clips(model, texts, browser_dir), "speech": lambda: speech_audio(model),
              "fer": lambda: fer_faces(model, per_class_faces),
              "text": lambda: text_sentences(texts, per_class_text)}
    for name, path in paths.items():
        if force or not path.exists():
            print(f"building {path.name} ...", flush=True)
            torch.save(makers[name](), path)
    info = {k: str(v) for k, v in paths.items()}
    info["real_features"] = str(Path(browser_dir).resolve()) if browser_dir else "python twins"
    info["text_checkpoint"] = str(text_path) if text_path else None
    info["text_checkpoint_sha256"] = sha256_file(text_path)
    info["visual_checkpoint_sha256"] = sha256_file(VISUAL_SNAPSHOT)
    (CACHE / "latest.json").write_text(json.dumps(info, indent=1) + "\n")
    return info


def load_caches(info_path: Path = CACHE / "latest.json") -> dict:
    info = json.loads(Path(info_path).read_text())
    data = {k: torch.load(info[k]) for k in ("real", "speech", "fer", "text")}
    data["text_checkpoint"] = info.get("text_checkpoint")
    return data


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.default_model.features", description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=str(DEFAULT_CONFIG))
    ap.add_argument("--faces-per-class", type=int, default=600)
    ap.add_argument("--text-per-class", type=int, default=600)
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--browser-features", metavar="DIR",
                    help="real clips' features from this `npm run prepare-dataset` folder instead of the Python twins")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(json.dumps(build_caches(Path(args.config), args.faces_per_class, args.text_per_class, args.force,
                                  args.browser_features), indent=1))


if __name__ == "__main__":
    main()
