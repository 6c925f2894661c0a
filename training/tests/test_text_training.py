"""Pieces of the text encoder's training (mer.pretrain.text) on tiny generated data."""
import numpy as np
import torch

from mer.pretrain.schedules import scheduler, warmup_cosine, warmup_linear
from mer.pretrain.text import LABELS, TextClassifier, clip_gradients, dataset_metrics, length_batches, pos_weight
from mer.text.bert import BertConfig


def tiny_sets():
    y = np.zeros((4, 7), dtype=np.float32)
    y[[0, 1, 2, 3], [0, 3, 3, 6]] = 1
    ids = [[101, 5, 102], [101, 6, 7, 8, 102], [101, 9, 102], [101, 102]]
    return {(n, "train"): (ids, y) for n in ("goemotions", "meld", "iemocap")}


def test_pos_weight_is_negative_positive_ratio():
    w = pos_weight(tiny_sets(), power=1.0)
    assert w[0] == 3.0 and w[3] == 1.0 and w[6] == 3.0
    assert torch.allclose(pos_weight(tiny_sets(), power=0.5) ** 2, w)


def test_length_batches_cover_every_sample_once():
    sets = tiny_sets()
    order = [("goemotions", i) for i in range(4)] + [("meld", i) for i in range(4)]
    batches = length_batches(order, sets, batch_size=3, seed=0, epoch=0)
    assert sorted(k for b in batches for k in b) == sorted(order)


def test_lr_schedule_warms_up_and_decays_to_zero():
    factor = warmup_linear(10, lambda: 100)
    assert factor(0) == 0.1 and factor(9) == 1.0
    assert factor(100) == 0.0


def _rates(factor, steps, start=0, peak=2.0):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=123.0)  # the scheduler sets the rate
    schedule = scheduler(opt, peak, factor, start)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        schedule.step()
    return rates


def test_lr_schedulers_give_peak_times_factor_at_every_step_and_resume():
    import math
    cosine = warmup_cosine(3, 10)
    rates = _rates(cosine, 10)
    assert rates[:3] == [2.0 * 1 / 3, 2.0 * 2 / 3, 2.0]
    assert math.isclose(rates[3], 2.0) and rates[-1] == 2.0 * cosine(9) and rates[-1] < 0.1
    assert all(math.isclose(r, 2.0 * cosine(k), rel_tol=1e-15) for k, r in enumerate(rates))
    assert _rates(cosine, 4, start=6) == rates[6:]  # resumed at step 6: the same rates from there
    total = {"n": 10**9}
    linear = warmup_linear(2, lambda: total["n"])
    assert _rates(linear, 3) == [1.0, 2.0, 2.0 * (10**9 - 2) / (10**9 - 2)]
    total["n"] = 6  # fitted to the budget later: the decay follows it
    assert _rates(linear, 4, start=3) == [2.0 * 3 / 4, 2.0 * 2 / 4, 2.0 * 1 / 4, 0.0]


def test_clip_gradients_with_sparse_table():
    model = TextClassifier(BertConfig(vocab_size=20, hidden_size=16, num_hidden_layers=1,
                                      num_attention_heads=2, intermediate_size=32,
                                      max_position_embeddings=8), 8, 0.0)
    words = model.bert.embeddings.word_embeddings
    words.sparse = True
    loss = model(torch.tensor([[1, 2, 3]]), torch.ones(1, 3, dtype=torch.long)).sum() * 1000
    loss.backward()
    dense = [p for p in model.parameters() if p is not words.weight]
    clip_gradients(dense, words.weight, 1.0)
    total = sum(p.grad.norm() ** 2 for p in dense if p.grad is not None) + words.weight.grad.coalesce()._values().norm() ** 2
    assert abs(float(total.sqrt()) - 1.0) < 1e-3


def test_dataset_metrics_shapes():
    rng = np.random.default_rng(0)
    labels = np.eye(7, dtype=np.float32)[rng.integers(0, 7, 50)]
    probs = labels * 0.9 + 0.05
    assert dataset_metrics("goemotions", probs, labels)["macro_f1"] == 1.0
    assert dataset_metrics("meld", probs, labels)["weighted_f1"] == 1.0
    assert len(LABELS) == 7


def test_checkpoint_round_trip_and_text_encoder(tmp_path):
    import pytest
    from mer.pretrain.text import load_classifier, save_checkpoint
    from mer.text.export import TOKENIZER_DIR
    from mer.text.encoder import TextEncoder
    if not TOKENIZER_DIR.exists():
        pytest.skip("no ../shared tokenizer")
    torch.manual_seed(0)
    model = TextClassifier(BertConfig(hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                      intermediate_size=32), 8, 0.0).eval()
    path = tmp_path / "text_bert.pt"
    save_checkpoint(model, {"dev": {}}, path, {})
    loaded = load_classifier(path)
    assert loaded.head_config == {"hidden": 8, "dropout": 0.0}
    enc = TextEncoder.from_checkpoint(path)
    texts = ["short", "a somewhat longer sentence here!", "mid length text"]
    batched = enc.cls(texts)
    single = np.concatenate([enc.cls([t]) for t in texts])
    assert batched.shape == (3, 16) and np.allclose(batched, single, atol=1e-5)
    # fp16 checkpoint weights == the encoder's weights
    assert torch.equal(enc.bert.embeddings.word_embeddings.weight,
                       model.bert.embeddings.word_embeddings.weight.half().float())


def test_adapt_trains_on_the_spoken_sets_with_the_word_table_frozen(tmp_path, monkeypatch):
    import argparse
    import json

    import pytest
    from mer.pretrain import text
    from mer.pretrain.text import SPOKEN_MIX, epoch_order, load_classifier, save_checkpoint
    if not text.TOKENIZER_DIR.exists():
        pytest.skip("no ../shared tokenizer")
    sets = {(n, split): v for (n, _), v in tiny_sets().items() for split in ("train", "dev", "test")}
    monkeypatch.setattr(text, "encoded_sets", lambda tokenizer: sets)
    assert {n for n, _ in epoch_order(sets, 0, 0, SPOKEN_MIX)} == {"iemocap", "meld"}
    torch.manual_seed(0)
    general = TextClassifier(BertConfig(hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                        intermediate_size=32), 8, 0.0)
    init, out = tmp_path / "general.pt", tmp_path / "text_bert.pt"
    save_checkpoint(general, {"dev": {}}, init, {})
    args = argparse.Namespace(init=str(init), out=str(out), epochs=3.0, lr=1e-2, weight_decay=0.01, batch_size=2,
                              pos_weight_power=0.5, seed=0, threads=1)
    metrics = text.adapt(args)
    before, after = load_classifier(init), load_classifier(out)
    assert torch.equal(before.bert.embeddings.word_embeddings.weight, after.bert.embeddings.word_embeddings.weight)
    assert not torch.equal(before.head.net[0].weight, after.head.net[0].weight)
    saved = json.loads(out.with_suffix(".json").read_text())
    assert saved["mix"] == SPOKEN_MIX and saved["steps"] == 3 * (2 * 4 + 4) // 2 and "general_phase" in saved
    assert set(metrics) == {"dev", "test"} and "iemocap" in metrics["test"]
