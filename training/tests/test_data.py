"""Manifest format, label sets, dataset windows/padding, modality and segment dropout."""
import json
import random

import numpy as np
import pytest

from _mer_helpers import tiny_config
from mer.data.dataset import MERDataset, collate
from mer.data.labels import encode, label_names
from mer.data.manifest import read_manifest, write_manifest
from mer.data.synthetic import make_synthetic


def test_label_sets_follow_contracts():
    assert label_names("ekman7") == ["anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral"]
    assert encode(["fru"], "ekman7").tolist() == [1, 0, 0, 0, 0, 0, 0]
    assert encode(["exc", "sad"], "ekman7").tolist() == [0, 0, 0, 1, 1, 0, 0]
    assert encode(["fru"], "iemocap6").tolist() == [0, 0, 1, 0, 0, 0]
    assert encode(["happy", "surprise"], "mosei6").tolist() == [0, 0, 0, 1, 0, 1]
    assert not encode(["contempt"], "ekman7").any()
    with pytest.raises(ValueError, match="known spellings"):
        encode(["bliss"], "ekman7")


def test_manifest_round_trip_and_validation(tmp_path):
    rows = [{"id": "a", "split": "train", "labels": ["ang"], "features": str(tmp_path / "f" / "a.npz")}]
    write_manifest(tmp_path / "m.jsonl", rows)
    assert json.loads((tmp_path / "m.jsonl").read_text())["features"] == "f/a.npz"
    assert read_manifest(tmp_path / "m.jsonl")[0]["features"] == str(tmp_path / "f" / "a.npz")
    (tmp_path / "bad.jsonl").write_text(json.dumps({"id": "a", "split": "x", "labels": [], "colour": 1}) + "\n")
    with pytest.raises(ValueError, match="unknown fields"):
        read_manifest(tmp_path / "bad.jsonl")


def test_dataset_items_and_collate(tmp_path):
    cfg = tiny_config()
    rows = read_manifest(make_synthetic(tmp_path, n=10, max_t=4))
    ds = MERDataset(rows, cfg, train=False)
    items = [ds[i] for i in range(len(ds))]
    batch = collate(items)
    t = batch["audio_mask"].shape[1]
    assert batch["log_mel"].shape == (10, t, 96, 64) and batch["faces"].shape == (10, t, 1, 48, 48)
    assert batch["text_cls"].shape == (10, 16) and batch["labels"].shape == (10, 7)
    lengths = [len(i["audio_mask"]) for i in items]
    for row, n in enumerate(lengths):
        assert batch["audio_mask"][row, n:].sum() == 0


def test_image_rows_are_one_segment_faces(tmp_path):
    import torch
    import torchvision.io as io
    img = (torch.rand(3, 64, 64) * 255).to(torch.uint8)
    io.write_png(img, str(tmp_path / "face.png"))
    cfg = tiny_config()
    item = MERDataset([{"id": "f", "split": "train", "labels": ["happy"], "image": str(tmp_path / "face.png")}], cfg, False)[0]
    assert item["faces"].shape == (1, 1, 48, 48) and item["visual_mask"].tolist() == [1.0]
    assert item["audio_mask"].sum() == 0 and item["text_mask"][0] == 0
    grey = (0.299 * img[0].float() + 0.587 * img[1].float() + 0.114 * img[2].float()) / 255
    assert abs(item["faces"].mean() - grey.mean().item()) < 0.01


def test_modality_dropout_reaches_all_seven_subsets(tmp_path):
    cfg = tiny_config()
    cfg["data"]["modality_dropout"] = 1.0
    cfg["data"]["segment_dropout"] = 0.5
    rows = read_manifest(make_synthetic(tmp_path, n=4, max_t=4))
    ds = MERDataset(rows, cfg, train=True)
    seen = set()
    for epoch in range(60):     # an item's draws depend on (seed, epoch, index) only
        ds.set_epoch(epoch)
        item = ds[0]
        key = (bool(item["audio_mask"].any()), bool(item["visual_mask"].any()), bool(item["text_mask"][0]))
        assert any(key)
        if not key[2]:
            assert not item["text_cls"].any()
        seen.add(key)
    assert len(seen) == 7


def test_compose_triples_by_label_with_mismatches(tmp_path):
    import torch
    import torchvision.io as io
    from mer.data.compose import compose
    audio, visual, text = [], [], []
    for c, name in enumerate(["anger", "happiness", "sadness"]):
        for k in range(2):
            z = tmp_path / f"a{c}{k}.npz"
            np.savez(z, log_mel=np.full((3, 96, 64), c, np.float32), audio_mask=np.ones(3, np.float32))
            audio.append({"id": f"a{c}{k}", "split": "train", "labels": [name], "features": str(z)})
            img = tmp_path / f"v{c}{k}.png"
            io.write_png(torch.full((1, 48, 48), 50 * c, dtype=torch.uint8), str(img))
            visual.append({"id": f"v{c}{k}", "split": "train", "labels": [name], "image": str(img)})
            tz = tmp_path / f"t{c}{k}.npz"
            np.savez(tz, text_cls=np.full(16, c, np.float32))
            text.append({"id": f"t{c}{k}", "split": "train", "labels": [name], "features": str(tz), "transcript": "x"})
    rows = compose(audio, visual, text, {"train": 60}, mismatch=0.3, seed=1)
    assert len(rows) == 60
    mism = [r for r in rows if r["source"] == "composed-mismatch"]
    assert 5 < len(mism) < 35
    ds = MERDataset(rows, tiny_config(), train=False)
    ekman = label_names("ekman7")
    for i, row in enumerate(rows):
        item = ds[i]
        target = ["anger", "happiness", "sadness"].index(ekman[int(np.argmax(item["labels"]))])
        # each modality's source class, read back from the values written above
        votes = [int(item["log_mel"][0, 0, 0]), int(round(item["faces"][0, 0, 0, 0] * 255 / 50)), int(item["text_cls"][0])]
        assert item["faces"].shape[0] == 3 and item["visual_mask"].tolist() == [1, 1, 1]   # a still face on every segment
        assert votes.count(target) == (3 if row["source"] == "composed" else 2)


def test_item_randomness_is_per_item_and_epoch_not_per_worker(tmp_path):
    """The same (seed, epoch, index) gives the same window and dropouts however many DataLoader
    workers there are; another epoch gives other draws."""
    import torch
    from mer.train import make_loader
    cfg = tiny_config()
    cfg["data"]["modality_dropout"] = 0.5
    cfg["data"]["segment_dropout"] = 0.5
    cfg["data"]["max_segments"] = 2
    rows = read_manifest(make_synthetic(tmp_path, n=12, max_t=4))

    def masks(workers, epoch):
        cfg["data"]["num_workers"] = workers
        ds = MERDataset(rows, cfg, train=True)
        ds.set_epoch(epoch, seed=3)
        loader = make_loader(ds, cfg, False, 1, 0)      # fixed order: compare item by item
        return torch.cat([torch.cat([b["audio_mask"], b["visual_mask"]], 1) for b in loader])
    assert torch.equal(masks(0, 1), masks(2, 1))
    assert not torch.equal(masks(0, 1), masks(0, 2))
