"""Configs: defaults, inheritance with ``base:``, errors that list valid keys, repo-relative paths."""
import pytest

from mer.config import REPO_ROOT, TRAINING_DIR, load_config


def test_paper_configs_follow_section_4_3():
    c = load_config(TRAINING_DIR / "configs" / "paper_mosei.yaml")       # inherits paper_iemocap.yaml
    m = c["model"]
    assert c["labels"] == "mosei6" and c["label_names"][0] == "anger"
    assert m["audio"]["backbone"]["name"] == "vggish" and m["audio"]["sem_after"] == [2, 4] and m["audio"]["freeze_groups"] == 2
    assert m["visual"]["backbone"]["name"] == "resnet18" and m["visual"]["sem_after"] == [3, 5] and m["visual"]["freeze_groups"] == 3
    assert (m["mbt"]["dim"], m["mbt"]["bottlenecks"], m["mbt"]["heads"]) == (64, 4, 8) and m["text_dim"] == 768
    assert (c["train"]["batch_size"], c["train"]["lr"], c["train"]["backbone_lr"]) == (8, 1e-4, 1e-5)
    assert c["data"]["manifest"] == str(REPO_ROOT / "training" / "data" / "mosei_dai.jsonl")
    assert m["use_sem"] and m["cross_modal"] == "mbt"


def test_unknown_keys_and_variants_are_errors():
    with pytest.raises(KeyError, match="valid here are"):
        load_config(None, {"model": {"mbt": {"depth": 2}}})
    with pytest.raises(ValueError, match="MER-SEM-MBT"):
        load_config(None, {"model": {"variant": "MER-XL"}})
