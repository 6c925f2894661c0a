"""The default model's fusion stage (mer.default_model): triple composition, modality dropout,
the cross-validation split, and that training on cached maps is the exported graph's model."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from mer.compat import onnx_export
from mer.config import load_config
from mer.default_model.compose import MODALITIES, SUBSETS, Item, apply_dropout, compose_items, drop_modalities
from mer.default_model.crossval import stratified_folds
from mer.default_model.features import frozen_maps
from mer.default_model.fusion_training import forward_cached
from mer.model import build_model

M = 7
SURPRISE = 5


def _labels(n, classes, seed):
    return np.random.default_rng(seed).choice(classes, n).tolist()


def test_composed_triples_respect_labels_and_mismatch_rate():
    audio = _labels(200, [c for c in range(M) if c != SURPRISE], 1)      # EmoDB has no surprise
    visual, text = _labels(300, range(M), 2), _labels(300, range(M), 3)
    segs = np.random.default_rng(4).integers(1, 4, len(audio))
    items = compose_items(4000, audio, visual, text, M, np.random.default_rng(0), mismatch_rate=0.25,
                          audio_segments=segs)
    source = {"audio": audio, "visual": visual, "text": text}
    three = [it for it in items if it.audio is not None]
    for it in items:
        mods = [m for m in MODALITIES if getattr(it, m) is not None]
        own = {m: source[m][getattr(it, m)] for m in mods}
        if it.mismatched is None:
            assert all(v == it.label for v in own.values())
        else:
            assert own[it.mismatched] == it.mismatch_label != it.label
            assert all(v == it.label for m, v in own.items() if m != it.mismatched)
        if it.label == SURPRISE:
            assert it.audio is None and it.mismatched is None and 2 <= it.segments <= 4
        elif it.audio is not None:
            assert it.segments == segs[it.audio]
    rate = np.mean([it.mismatched is not None for it in three])
    assert 0.22 < rate < 0.28
    assert {it.mismatched for it in three if it.mismatched} == set(MODALITIES)
    assert np.bincount([it.label for it in items], minlength=M).min() > 400    # classes balanced


def test_modality_dropout_covers_all_seven_subsets():
    rng = np.random.default_rng(0)
    seen = {tuple(np.flatnonzero(drop_modalities((True, True, True), rng, 1.0))) for _ in range(500)}
    assert seen == set(SUBSETS) and len(seen) == 7
    for _ in range(200):   # never empty, never adds a missing modality
        kept = drop_modalities((False, True, True), rng, 0.7)
        assert any(kept) and not kept[0]
    assert drop_modalities((True, False, True), rng, 0.0) == (True, False, True)


def test_dropout_leaving_only_the_mismatched_modality_takes_its_label():
    item = Item(label=1, source="composed", audio=0, visual=0, text=0, mismatched="text", mismatch_label=4)
    rng = np.random.default_rng(0)
    for _ in range(300):
        out = apply_dropout(item, rng, 1.0)
        if out.present == (False, False, True):
            assert out.label == 4
        else:
            assert out.label == 1
    assert item.present == (True, True, True) and item.label == 1


def test_each_modality_is_taught_the_class_it_shows():
    from mer.default_model.fusion_training import modality_labels
    # Neutral words (6) over an angry voice and face: the target stays anger, the words' own head learns neutral.
    neutral_words = Item(label=0, source="composed", audio=0, visual=0, text=0, mismatched="text", mismatch_label=6)
    assert modality_labels(neutral_words) == (0, 0, 6)
    face_off = Item(label=3, source="composed", audio=0, visual=0, text=0, mismatched="visual", mismatch_label=4)
    assert modality_labels(face_off) == (3, 4, 3)
    rng = np.random.default_rng(0)
    for _ in range(100):   # whatever dropout keeps, each present modality's own class is what it shows
        out = apply_dropout(face_off, rng, 1.0)
        own = modality_labels(out)
        assert all(own[m] == (4 if m == 1 else 3) for m in range(3) if out.present[m])
    assert modality_labels(Item(label=2, source="real", real=0)) == (2, 2, 2)


def test_cv_split_is_stratified_and_disjoint():
    labels = np.array([0] * 16 + [3] * 22 + [4] * 11 + [6] * 8 + [5] * 8 + [2] * 7)
    folds = stratified_folds(labels, 6, seed=0)
    assert folds.shape == labels.shape and set(folds.tolist()) == set(range(6))   # one fold per clip
    for c in np.unique(labels):
        counts = np.bincount(folds[labels == c], minlength=6)
        assert counts.max() - counts.min() <= 1
    sizes = np.bincount(folds)
    assert sizes.max() - sizes.min() <= 1
    test_sets = [set(np.flatnonzero(folds == k)) for k in range(6)]
    assert sum(len(s) for s in test_sets) == len(labels)
    assert all(not (a & b) for i, a in enumerate(test_sets) for b in test_sets[i + 1:])
    assert (stratified_folds(labels, 6, seed=0) == folds).all()


def _tiny_fusion_model(variant: str, voice_stats: bool):
    config = load_config(None, {
        "labels": "ekman7", "model": {
            "variant": variant, "text_dim": 16,
            "audio": {"backbone": {"name": "tiny"}, "sem_after": [3], "freeze_groups": 3,
                      "voice_stats": {"group": 2, "weights": None} if voice_stats else None},
            "visual": {"backbone": {"name": "tiny"}, "sem_after": [3], "freeze_groups": 3},
            "mbt": {"dim": 16, "heads": 4, "bottlenecks": 4, "layers": 1, "ffn_mult": 2, "dropout": 0.0},
            "head": {"hidden": 16, "dropout": 0.0}}})
    torch.manual_seed(0)
    model = build_model(config).eval()
    if voice_stats:   # a classifier that is not all zeros, and a gain that is not all ones
        head = model.voice_stats
        with torch.no_grad():
            head.mean.normal_(); head.scale.uniform_(0.5, 2.0); head.weight.normal_(); head.bias.normal_()
            model.voice_stats_gain.uniform_(0.2, 1.5)
    return model


@pytest.mark.parametrize("variant,voice_stats", [("MER-SEM-MBT", False), ("MER", False), ("MER-SEM-MBT", True)])
def test_training_on_cached_maps_is_the_exported_model(variant, voice_stats):
    from mer.default_model.features import voice_stats_logits
    model = _tiny_fusion_model(variant, voice_stats)
    b, t = 2, 3
    log_mel, faces = torch.randn(b, t, 96, 64), torch.rand(b, t, 1, 48, 48)
    text, tmask = torch.randn(b, 16), torch.tensor([[1.0], [0.0]])
    amask, vmask = torch.tensor([[1.0, 1, 0], [1, 0, 1]]), torch.tensor([[1.0, 0, 1], [0, 0, 0]])
    with torch.no_grad():
        ref = model(log_mel, faces, text, amask, vmask, tmask)
        a = frozen_maps(model.audio_encoder, log_mel.reshape(b * t, 1, 96, 64)).float()
        v = frozen_maps(model.visual_encoder, faces.reshape(b * t, 1, 48, 48)).float()
        stats = None
        if voice_stats:
            early = model.audio_encoder.forward_frozen(log_mel.reshape(b * t, 1, 96, 64), 2).half()
            stats = voice_stats_logits(model, early).reshape(b, t, -1)
        got = forward_cached(model, a.reshape((b, t) + a.shape[1:]), v.reshape((b, t) + v.shape[1:]),
                             text, amask, vmask, tmask, stats)
    for key in ("fused", "audio", "visual", "text", "alpha", "audio_segments"):
        assert torch.allclose(ref[key], got[key], atol=2e-2), key     # fp16 cache: small rounding
    assert got["alpha"][1, 1] == 0                                        # absent visual: alpha exactly 0
    if voice_stats:
        with pytest.raises(ValueError, match="voice_stats"):
            forward_cached(model, a.reshape((b, t) + a.shape[1:]), v.reshape((b, t) + v.shape[1:]),
                           text, amask, vmask, tmask)


def test_voice_statistics_head_is_the_fitted_classifier_and_exports(tmp_path):
    """The head's statistics are torch's mean / unbiased std over time; its logits are the
    scikit-learn pipeline's (standardise + logistic regression) up to a per-row constant; the
    checkpoint loads into it; and the fused graph with it exports and runs the same in onnxruntime."""
    from mer.heads import VoiceStatsHead
    from mer.pretrain.voice_stats import fit, logits
    maps = torch.randn(5, 4, 6, 3)
    stats = VoiceStatsHead.statistics(maps)
    assert torch.allclose(stats, torch.cat([maps.mean(2).flatten(1), maps.std(2).flatten(1)], 1), atol=1e-5)
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(M), 20)
    x = (rng.normal(size=(len(y), stats.shape[1])) + y[:, None] * 0.3 + 5.0).astype(np.float32)
    fitted = fit(x, y, 0.1)
    head = VoiceStatsHead(stats.shape[1], M, group=2)
    torch.save({"group": 2, **{k: torch.from_numpy(v) for k, v in fitted.items()}}, tmp_path / "stats.pt")
    head.load(tmp_path / "stats.pt")
    expected = logits(fitted, stats.numpy())
    got = head(maps).numpy()
    assert np.allclose(got, expected - expected.mean(1, keepdims=True), atol=1e-4)
    with pytest.raises(ValueError, match="group 3"):
        VoiceStatsHead(stats.shape[1], M, group=3).load(tmp_path / "stats.pt")

    from mer.export import export_all
    info = export_all(_tiny_fusion_model("MER-SEM-MBT", voice_stats=True), tmp_path / "onnx", check=True)
    assert info["parity_max_abs"]["fp32"] < 1e-4, info["parity_max_abs"]


def test_same_padding_matches_tensorflow_and_exports_without_pad_nodes(tmp_path):
    """TF SAME: the odd pixel goes after. Exported, the layer is one Conv / MaxPool with
    auto_pad SAME_UPPER (no Pad node) and onnxruntime gives the eager result."""
    import onnx
    import torch.nn.functional as F
    from mer.backbones.same_padding import conv2d_same, max_pool2d_same, same_pads
    from mer.export import run_onnxruntime
    assert [same_pads(n, 3, 2) for n in (4, 7, 8, 15)] == [(0, 1), (1, 1), (0, 1), (1, 1)]
    assert same_pads(5, 3, 1) == (1, 1) and same_pads(5, 1, 1) == (0, 0)
    x = torch.randn(2, 4, 15, 8)
    expected = F.max_pool2d(F.pad(x, (0, 1, 1, 1), value=float("-inf")), 3, 2)
    assert torch.equal(max_pool2d_same(x), expected)
    weight, bias = torch.randn(4, 1, 3, 3), torch.randn(4)

    class Layer(torch.nn.Module):
        def forward(self, x):
            return max_pool2d_same(conv2d_same(x, weight, bias, stride=2, groups=4)) + 0.0

    path = tmp_path / "same.onnx"
    with torch.no_grad():
        onnx_export(Layer(), (x,), path, opset_version=17, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "n"}})
        want = Layer()(x).numpy()
    graph = onnx.load(str(path)).graph
    assert "Pad" not in {n.op_type for n in graph.node}
    got = run_onnxruntime(path, {"x": x.numpy()})["y"]
    assert np.abs(got - want).max() < 1e-5


def test_constant_baselines_and_top1_macro_f1():
    from mer.default_model.crossval import constant_baselines, scores, top1_macro_f1
    labels = np.array([0, 0, 0, 3, 3, 6])
    b = constant_baselines(labels, M)
    assert b["always_majority_class"] == {"class": 0, "top1_accuracy": 0.5, "macro_f1": top1_macro_f1(np.zeros(6, int), labels)}
    assert abs(b["always_majority_class"]["macro_f1"] - (2 * 0.5 / 1.5) / 3) < 1e-9   # F1 of class 0 = 2/3, others 0
    perfect = scores(np.eye(M, dtype=np.float32)[labels], labels, M)
    assert perfect["top1_accuracy"] == 1 and perfect["macro_f1"] == 1


def test_fusion_learns_from_voices_and_sentences_its_encoders_never_saw():
    """Stacking: the fusion stage's composed triples come from speakers the audio backbone held out
    and text splits the text encoder did not train on; the other held-out speakers stay unheard by
    every stage, with each speech dataset still represented for the held-out check."""
    from mer.default_model.features import FUSION_FIT_SPEAKERS, FUSION_TEXT_SPLITS
    from mer.pretrain.speech import HELD_OUT
    assert FUSION_FIT_SPEAKERS < HELD_OUT
    untouched = HELD_OUT - FUSION_FIT_SPEAKERS
    assert {s.split(":")[0] for s in untouched} == {s.split(":")[0] for s in HELD_OUT} == {"ravdess", "cremad", "emodb"}
    assert all("train" not in splits for _, splits in FUSION_TEXT_SPLITS)


def test_cross_validation_scores_each_clip_with_a_voice_classifier_that_never_saw_it():
    """With per-fold voice-statistics classifiers (fitted with the dev clips), fold k's caches
    carry fold k's outputs; other folds than the CV's are refused; without them nothing changes."""
    from mer.default_model.crossval import out_of_fold_voice_stats, without_fold_in_voice_stats

    fold_of = np.array([0, 1, 2, 1])
    # Clip i's output from the classifier without fold k is 10 * k + i; without folds k and j, 100 + 10 * (k + j) + i.
    per_fold = [[torch.full((2, 7), 10.0 * k + i) for i in range(4)] for k in range(3)]
    pairs = {f"{k}-{j}": [torch.full((2, 7), 100.0 + 10 * (k + j) + i) for i in range(4)] for k in range(3) for j in range(k + 1, 3)}
    speech_folds = [torch.full((3, 1, 2, 7), float(k)) for k in range(3)]
    data = {"real": {"voice_stats": "all clips", "voice_stats_folds": per_fold, "voice_stats_pairs": pairs,
                     "voice_stats_fold_of": fold_of.tolist()},
            "speech": {"voice_stats": "all clips", "voice_stats_folds": speech_folds}, "fer": {}}
    d = without_fold_in_voice_stats(data, 1, fold_of)
    # Test clips 1 and 3 (fold 1): without fold 1; training clip 0 (fold 0): without 0 and 1; clip 2: without 1 and 2.
    assert [float(t[0, 0]) for t in d["real"]["voice_stats"]] == [110.0, 11.0, 132.0, 13.0]
    assert d["speech"]["voice_stats"] is speech_folds[1]
    assert data["real"]["voice_stats"] == "all clips"   # the caller's caches stay as they were
    # The final model trains each clip on the classifier fitted without its own fold.
    assert [float(t[0, 0]) for t in out_of_fold_voice_stats(data)["real"]["voice_stats"]] == [0.0, 11.0, 22.0, 13.0]
    with pytest.raises(ValueError, match="other folds"):
        without_fold_in_voice_stats(data, 0, np.array([1, 0, 0, 1]))
    plain = {"real": {"voice_stats": None}, "speech": {}}
    assert without_fold_in_voice_stats(plain, 0, fold_of) is plain and out_of_fold_voice_stats(plain) is plain


def test_voice_classifier_with_real_clips_keeps_each_fold_out():
    """fit_with_real_clips: one classifier per crossval fold, none fitted on its own fold's clips."""
    from mer.pretrain import voice_stats as vs

    rng = np.random.default_rng(0)
    acted_y = np.repeat(np.arange(7), 20)
    acted_x = rng.normal(size=(len(acted_y), 6)) + np.eye(7)[acted_y][:, :6] * 3
    real_y = np.repeat(np.arange(7), 4)
    real_x = rng.normal(size=(len(real_y), 6)) + np.eye(7)[real_y][:, :6] * 3
    voiced = np.ones(len(real_y), bool)
    voiced[0] = False
    head, folds, pairs, report = vs.fit_with_real_clips(acted_x, acted_y, real_x, real_y, voiced, 1.0, 5.0)
    assert len(folds) == 4 and head["weight"].shape == (7, 6)
    assert sorted(pairs) == ["0-1", "0-2", "0-3", "1-2", "1-3", "2-3"]
    assert report["clips"] == len(real_y) - 1 and len(report["fold_of"]) == len(real_y)
    assert report["cv_top1_voiced_clips"] > 0.5
    # A clip's own fold's classifier is the one fitted without it: refitting without fold 0 gives it back.
    from mer.default_model.crossval import stratified_folds
    fold_of = stratified_folds(real_y, 4, seed=0)
    keep = (fold_of != 0) & voiced
    again = vs.fit(np.concatenate([acted_x, real_x[keep]]), np.concatenate([acted_y, real_y[keep]]), 1.0,
                   np.concatenate([np.ones(len(acted_y)), np.full(int(keep.sum()), 5.0)]))
    assert np.allclose(again["weight"], folds[0]["weight"], atol=1e-4)


def test_voice_statistics_gain_learns_at_its_own_rate():
    """The gain (from 0) gets gain_lr_mult times the rate; every other trainable weight the shared
    rate, each in exactly one group."""
    from mer.default_model.fusion_training import DEFAULT_TRAIN, fusion_optimizer
    model = _tiny_fusion_model("MER-SEM-MBT", True)
    opt = fusion_optimizer(model, {**DEFAULT_TRAIN, "gain_lr_mult": 30.0})
    assert [g["lr"] for g in opt.param_groups] == [DEFAULT_TRAIN["lr"], DEFAULT_TRAIN["lr"] * 30.0]
    assert opt.param_groups[1]["params"] == [model.voice_stats_gain]
    grouped = [p for g in opt.param_groups for p in g["params"]]
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert len(grouped) == len(trainable) and all(any(p is q for q in grouped) for p in trainable)
    plain = fusion_optimizer(_tiny_fusion_model("MER-SEM-MBT", False), DEFAULT_TRAIN)
    assert len(plain.param_groups) == 1


def test_the_words_head_can_be_the_text_encoders_own_classifier(tmp_path):
    """init_text_head: "frozen" makes S_t the text encoder's classifier and keeps it out of the
    optimiser, "from_encoder" starts from it and trains on, "trained" leaves the fresh head."""
    from mer.default_model.fusion_training import DEFAULT_TRAIN, fusion_optimizer, init_text_head
    from mer.heads import MLPHead
    encoder_head = MLPHead(16, 7, hidden=16, dropout=0.0)
    path = tmp_path / "text_bert.pt"
    torch.save({"head": {k: v.half() for k, v in encoder_head.state_dict().items()}}, path)
    expected = {k: v.half().float() for k, v in encoder_head.state_dict().items()}
    for mode, trainable in (("frozen", False), ("from_encoder", True)):
        model = _tiny_fusion_model("MER-SEM-MBT", False)
        init_text_head(model, path, mode)
        assert all(torch.equal(v, expected[k]) for k, v in model.text_head.state_dict().items())
        grouped = [p for g in fusion_optimizer(model, DEFAULT_TRAIN).param_groups for p in g["params"]]
        assert any(p is q for p in model.text_head.parameters() for q in grouped) == trainable
    fresh = _tiny_fusion_model("MER-SEM-MBT", False)
    before = {k: v.clone() for k, v in fresh.text_head.state_dict().items()}
    init_text_head(fresh, None, "trained")
    assert all(torch.equal(v, before[k]) for k, v in fresh.text_head.state_dict().items())
    with pytest.raises(ValueError, match="trained"):
        init_text_head(fresh, None, "frozen")
    with pytest.raises(ValueError, match="from_encoder"):
        init_text_head(fresh, path, "mystery")
    other = tmp_path / "other.pt"   # a classifier of another size
    torch.save({"head": MLPHead(16, 7, hidden=8).state_dict(), "head_config": {"hidden": 8}}, other)
    with pytest.raises(ValueError, match="does not fit"):
        init_text_head(fresh, other, "frozen")


def test_per_fold_voice_classifiers_load_from_the_checkpoint_and_score_cached_maps(tmp_path):
    """voice_stats_folds reads the per-fold and per-pair classifiers a --real-clips checkpoint
    holds; fold_logits gives each one's output, the same as the head with those buffers."""
    from mer.default_model.features import fold_logits, voice_stats_folds
    from mer.heads import VoiceStatsHead
    model = _tiny_fusion_model("MER-SEM-MBT", True)
    head = model.voice_stats
    d, m = head.mean.numel(), model.num_classes

    def buffers(seed):
        g = torch.Generator().manual_seed(seed)
        return {"mean": torch.randn(d, generator=g), "scale": torch.rand(d, generator=g) + 0.5,
                "weight": torch.randn(m, d, generator=g), "bias": torch.randn(m, generator=g)}

    state = {"group": head.group, **buffers(0), "folds": [buffers(1), buffers(2)], "pairs": {"0-1": buffers(3)},
             "fold_of": torch.tensor([0, 1])}
    torch.save(state, tmp_path / "stats.pt")
    assert voice_stats_folds(model) == ([], {}, None)    # no weights file: nothing per fold
    model.config["model"]["audio"]["voice_stats"]["weights"] = str(tmp_path / "stats.pt")
    folds, pairs, fold_of = voice_stats_folds(model)
    assert len(folds) == 2 and list(pairs) == ["0-1"] and fold_of == [0, 1]
    early = torch.randn(2, 3, *model.audio_encoder.forward_frozen(torch.zeros(1, 1, 96, 64), 2).shape[1:])
    got = fold_logits(folds, early)
    want = VoiceStatsHead(d, m, head.group)
    for name, value in buffers(2).items():
        getattr(want, name).copy_(value)
    assert got[1].shape == (2, 3, m)
    assert torch.allclose(got[1], want(early.reshape(6, *early.shape[2:])).reshape(2, 3, m), atol=1e-5)


def _fake_run(seed: int, top1: float) -> dict:
    from mer.default_model.crossval import CONDITIONS
    metrics = {c: {"top1_accuracy": top1, "macro_f1": top1 / 2, "avg_f1": top1 / 3, "n": 72 if c != "audio" else 67}
               for c in CONDITIONS}
    return {"train": {"seed": seed}, "metrics": metrics}


def test_training_seeds_are_reported_beside_the_shipped_seed(tmp_path):
    import json
    from mer.default_model.build import seed_metrics
    from mer.default_model.crossval import run_file, seed_runs, seed_spread, seed_table
    assert seed_runs(tmp_path) == []
    for seed, top1 in ((2, 0.5), (0, 0.4), (10, 0.6)):
        run_file(tmp_path, "MER-SEM-MBT", seed).write_text(json.dumps(_fake_run(seed, top1)))
    assert run_file(tmp_path, "MER-SEM-MBT", 0).name == "MER-SEM-MBT.json"
    runs = seed_runs(tmp_path)
    assert [r["train"]["seed"] for r in runs] == [0, 2, 10]          # the shipped seed first, then by number
    spread = seed_spread(runs)
    assert spread["fused"]["top1_accuracy"] == pytest.approx({"mean": 0.5, "min": 0.4, "max": 0.6, "values": [0.4, 0.5, 0.6]})
    assert spread["audio"]["n"] == 67 and spread["fused"]["seeds"] == [0, 2, 10]
    assert "seed 0 (shipped) | seed 2 | seed 10 | mean" in seed_table(runs)
    entries = seed_metrics(runs, "dev", "4-fold")
    fused = next(e for e in entries if e["name"] == "top-1 accuracy (fused, with the words, 7 classes), mean of 3 training seeds")
    assert (fused["value"], fused["min"], fused["max"], fused["seeds"], fused["n"]) == (0.5, 0.4, 0.6, [0, 2, 10], 72)
    assert seed_metrics(runs[:1], "dev", "4-fold") == []                # one seed: nothing to average
    stale = {**_fake_run(3, 0.9), "train": {"seed": 3, "lr": 1.0}}      # another recipe: left out
    run_file(tmp_path, "MER-SEM-MBT", 3).write_text(json.dumps(stale))
    assert [r["train"]["seed"] for r in seed_runs(tmp_path)] == [0, 2, 10]


def test_a_finished_run_is_reused_only_with_its_own_training_recipe(tmp_path):
    import json
    from mer.default_model.crossval import run_cv, run_file
    done = {"model": {"variant": "MER-SEM-MBT"}, "train": {"seed": 1, "lr": 1e-3}, "metrics": {}}
    run_file(tmp_path, "MER-SEM-MBT", 1).write_text(json.dumps(done))
    assert run_cv("MER-SEM-MBT", {"variant": "MER-SEM-MBT"}, None, 4, {"lr": 1e-3, "seed": 1}, tmp_path) == done
    said = []
    with pytest.raises(TypeError):   # another recipe: it measures again, and so needs the data
        run_cv("MER-SEM-MBT", {"variant": "MER-SEM-MBT"}, None, 4, {"lr": 1e-3, "seed": 1, "epochs": 10},
               tmp_path, log=said.append)
    assert said == ["MER-SEM-MBT.seed1.json was measured with another model or training recipe: measuring again"]


def test_held_out_results_become_metrics_entries_with_their_baselines(tmp_path, monkeypatch):
    """build.held_out_entries: the voice-only and words-only results a build wrote beside its model
    become metrics.json entries naming dataset, split and n, each with its constant baseline."""
    import json

    from mer.default_model import build
    from mer.default_model.crossval import constant_baselines, scores
    labels = np.array([0, 0, 3, 6])
    probs = np.eye(7)[[0, 3, 3, 0]] * 0.9
    result = {"dataset": "IEMOCAP transcripts, session 5: no speaker of the dev clips", "metrics": scores(probs, labels, 7),
              "baselines": {**constant_baselines(labels, 7), "every_class_on_present_avg_f1": 0.5}}
    monkeypatch.setattr(build, "OUT_RUN", tmp_path)
    assert build.held_out_entries() == []
    (tmp_path / "held_out_words.json").write_text(json.dumps(result))
    entries = build.held_out_entries()
    assert [e["name"] for e in entries] == ["top-1 accuracy (fused graph, words only, 7 classes)",
                                            "macro-F1 of top-1 (fused graph, words only)",
                                            "Avg F1 over the 3 classes present (fused graph, words only, threshold 0.5)",
                                            "baseline: always 'anger', top-1 accuracy",
                                            "baseline: every class on, Avg F1 over the 3 classes present"]
    assert all(e["n"] == 4 and "session 5" in e["split"] for e in entries)
    assert entries[0]["value"] == 0.5 and entries[3]["value"] == 0.5
