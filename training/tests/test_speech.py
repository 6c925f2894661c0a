"""The speech-emotion audio backbone (mer.pretrain.speech) and the fusion data that uses it:
speakers held out, calm and boredom left out, augmentation shapes, the fine-tuned weights
reaching the fused model's YAMNet, and neutral words over an emotional voice in composed items."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from mer.default_model.compose import compose_items
from mer.pretrain import speech

M = 7
NEUTRAL = speech.EKMAN.index("neutral")


def test_items_leave_out_calm_and_boredom_and_hold_out_whole_speakers():
    if not (speech.SPEECH_EN / "metadata.csv").exists():
        pytest.skip("../shared/data/speech_en is not here")
    items = speech.speech_items()
    assert {it["dataset"] for it in items} == {"ravdess", "tess", "cremad", "emodb"}
    assert all(0 <= it["label"] < M for it in items)
    assert not any("calm" in it["path"].split("/")[-1] for it in items if it["dataset"] == "ravdess"
                   and it["path"].split("-")[2] == "02")     # RAVDESS emotion code 02 = calm
    held = {it["speaker"] for it in items} & speech.HELD_OUT
    assert {s.split(":")[0] for s in held} == {"ravdess", "cremad", "emodb"}
    cache = {"speakers": [it["speaker"] for it in items],
             "masks": torch.ones(len(items), 1, 2)}
    train, test = speech.split(cache)
    train_speakers = {items[i]["speaker"] for i in train}
    assert not train_speakers & speech.HELD_OUT and {items[i]["speaker"] for i in test} == held


def test_augmented_views_shift_and_stay_in_range():
    wave = np.sin(np.arange(16000) / 10).astype(np.float32) * 0.5
    views = speech.augmented_views(wave, np.random.default_rng(0))
    assert [len(v) - len(wave) for v in views] == list(speech.SHIFTS)
    assert np.array_equal(views[0], wave) and all(np.abs(v).max() <= 1 for v in views)
    assert not np.allclose(views[1][speech.SHIFTS[1]:], wave)      # gain and noise on later views


def test_spec_augment_masks_rows_without_changing_shape():
    x = torch.ones(4, 2, 256, 12, 8)
    out = speech.spec_augment(x, {"time_masks": 2, "freq_masks": 1}, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and x.min() == 1          # the input is not changed in place
    zero_fraction = float((out == 0).float().mean())
    assert 0.05 < zero_fraction < 0.6


def test_tess_is_subsampled_per_epoch():
    datasets = np.array(["tess"] * 100 + ["ravdess"] * 50)
    order = speech.epoch_order(np.arange(150), datasets, 0.3, np.random.default_rng(0))
    assert (datasets[order] == "tess").sum() == 30 and (datasets[order] == "ravdess").sum() == 50


def test_fine_tuned_weights_reach_the_fused_models_yamnet(tmp_path):
    from mer.backbones.yamnet import YAMNet
    from mer.encoders import build_backbone
    net = YAMNet()
    torch.manual_seed(0)
    for p in net.parameters():
        p.data.normal_()
    path = tmp_path / "audio_speech.pt"
    torch.save({"state_dict": {k: v.half() for k, v in net.state_dict().items()}}, path)
    loaded = build_backbone({"name": "yamnet", "weights": str(path)})
    x = torch.randn(2, 1, 96, 64)
    with torch.no_grad():
        ref = YAMNet()
        ref.load_state_dict({k: v.half().float() for k, v in net.state_dict().items()})
        assert torch.allclose(loaded(x), ref.eval()(x), atol=1e-5)
    tail = speech.SpeechEmotionTail(loaded, dropout=0.0).eval()
    logits = tail(torch.randn(3, 2, 256, 12, 8), torch.tensor([[1.0, 0], [1, 1], [0, 1]]))
    assert logits.shape == (3, M)


def test_composed_items_with_neutral_words_keep_the_voice_and_face_class():
    rng = np.random.default_rng(0)
    audio, visual = rng.choice(M, 300).tolist(), rng.choice(M, 300).tolist()
    text = rng.choice(M, 300).tolist() + [NEUTRAL] * 20
    spoken = np.arange(300, 320)
    items = compose_items(4000, audio, visual, text, M, rng, mismatch_rate=0.25, audio_segments=[2] * 300,
                          neutral_text_rate=0.3, neutral=NEUTRAL, spoken=spoken)
    neutral_words = [it for it in items if it.mismatched == "text" and it.mismatch_label == NEUTRAL
                     and it.label != NEUTRAL and audio[it.audio] == it.label == visual[it.visual]]
    share = len(neutral_words) / sum(it.label != NEUTRAL for it in items)
    assert 0.2 < share < 0.35                      # 0.75 (not mismatched) x 0.3, plus random text mismatches
    assert all(text[it.text] == NEUTRAL for it in neutral_words)
    assert 0.3 < np.mean([it.text >= 300 for it in neutral_words]) < 0.7   # about half the speech clips' own words


@pytest.mark.skipif(not (speech.CHECKPOINT.exists() and (speech.SPEECH_EN / "metadata.csv").exists()),
                    reason="checkpoint or ../shared/data/speech_en missing")
def test_saved_checkpoint_hears_emotion_in_a_held_out_actor_through_the_shared_front_end():
    """The shipped audio_speech.pt, through the browser's log-mel front end, on RAVDESS actor 20
    (held out of all training): two sentences per class, 7 classes (chance 2 of 14)."""
    from mer.features.logmel import load_audio_params, log_mel_patches
    assert "ravdess:Actor_20" in speech.HELD_OUT
    saved = torch.load(speech.CHECKPOINT)
    net = speech.load_speech_yamnet(speech.CHECKPOINT)
    tail = speech.SpeechEmotionTail(net, dropout=0.0).eval()
    tail.fc.load_state_dict({k: v.float() for k, v in saved["head"].items()})
    chosen, per_class = [], {}
    for it in speech.speech_items():
        if it["speaker"] == "ravdess:Actor_20" and per_class.get(it["label"], 0) < 2:
            chosen.append(it)
            per_class[it["label"]] = per_class.get(it["label"], 0) + 1
    assert len(chosen) == 14
    correct = 0
    for it in chosen:
        log_mel, mask = log_mel_patches(speech.load_wave(it), load_audio_params())
        feats = speech.frozen_groups(net, log_mel[:speech.MAX_SEGMENTS]).float()[None]
        mask = torch.from_numpy(mask[:speech.MAX_SEGMENTS])[None]
        with torch.no_grad():
            correct += int(tail(feats, mask if mask.any() else torch.ones_like(mask)).argmax()) == it["label"]
    assert correct >= 7, f"{correct} of 14"        # measured 9 of 14 when shipped


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_speed_views_play_faster_or_slower_and_shift_the_pitch(factor):
    from mer.pretrain.speech import speed_perturbed
    rate, tone = 16000, 1000.0
    wave = (0.5 * np.sin(2 * np.pi * tone * np.arange(rate) / rate)).astype(np.float32)
    out = speed_perturbed(wave, factor)
    assert abs(len(out) - rate / factor) <= 1 and np.abs(out).max() <= 1
    spectrum = np.abs(np.fft.rfft(out * np.hanning(len(out))))
    peak = np.argmax(spectrum) * rate / len(out)
    assert abs(peak - tone * factor) < 5      # a faster talker is a higher one


def test_training_views_draw_the_cached_views_then_the_speed_views_of_the_training_clips():
    from mer.pretrain.speech import training_views
    shape = (256, 12, 8)
    # Cached views: clip c, view v, segment t holds 10c + v; speed rows: row r, speed k holds -(10r + k + 1).
    cached = torch.tensor([[[10.0 * c + v] * 2 for v in range(3)] for c in range(4)])
    cache = {"features": cached[..., None, None, None].expand(4, 3, 2, *shape).half(), "masks": torch.ones(4, 3, 2),
             "paths": list("abcd")}
    sped = torch.tensor([[[-(10.0 * r + k + 1)] * 2 for k in range(2)] for r in range(2)])
    speed = {"features": sped[..., None, None, None].expand(2, 2, 2, *shape).half(), "masks": torch.zeros(2, 2, 2)}
    views, count = training_views(cache, speed, train_idx=np.array([1, 3]))
    assert count == 5
    feats, masks = views(torch.tensor([1, 3, 1, 0]), torch.tensor([3, 4, 0, 2]))
    assert feats[:, 0, 0, 0, 0].tolist() == [-1.0, -12.0, 10.0, 2.0]   # clip 1 at speed 0, clip 3 at speed 1, cached views
    assert masks[:, 0].tolist() == [0.0, 0.0, 1.0, 1.0]
    views, count = training_views(cache, None, train_idx=np.array([1, 3]))
    assert count == 3 and views(torch.tensor([2]), torch.tensor([1]))[0][0, 0, 0, 0, 0] == 21.0
