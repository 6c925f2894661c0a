"""Leave one corpus out (mer.pretrain.cross_corpus): the left-out corpus never reaches training,
its report covers exactly its voiced clips, and metrics.json gets entries with n and baselines."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from mer.pretrain import cross_corpus
from mer.pretrain.speech import CORPORA, EKMAN


def fake_cache(per_corpus: int = 42, seed: int = 0) -> tuple[dict, np.ndarray]:
    """Every corpus holds every class; the class shows in the features, shifted per corpus (a
    corpus's own recording), and each corpus's last clip is silent (no voiced segment)."""
    rng = np.random.default_rng(seed)
    datasets, speakers, labels, voiced = [], [], [], []
    for ci, corpus in enumerate(CORPORA):
        for i in range(per_corpus):
            datasets.append(corpus)
            speakers.append(f"{corpus}:{i % 3}")
            labels.append(i % len(EKMAN))
            voiced.append(i != per_corpus - 1)
    y = np.asarray(labels)
    corpus_shift = np.repeat(np.arange(len(CORPORA)), per_corpus)[:, None] * 0.5
    stats = (np.eye(len(EKMAN))[y] * 3 + corpus_shift + rng.normal(0, 0.3, (len(y), len(EKMAN))))[:, None].repeat(2, 1)
    masks = torch.tensor(voiced, dtype=torch.float32)[:, None, None].repeat(1, 2, 3)
    cache = {"datasets": datasets, "speakers": speakers, "labels": torch.from_numpy(y), "masks": masks}
    return cache, stats.astype(np.float32)


def test_the_left_out_corpus_is_never_trained_on_and_silent_clips_are_not_scored():
    cache, _ = fake_cache()
    datasets = np.asarray(cache["datasets"])
    for corpus in CORPORA:
        train, test = cross_corpus.corpus_split(cache, corpus)
        assert corpus not in set(datasets[train]) and set(datasets[test]) == {corpus}
        assert len(test) == 41 and len(train) == 3 * 41
    with pytest.raises(ValueError, match="valid are"):
        cross_corpus.corpus_split(cache, "savee")


def test_statistics_report_scores_only_the_left_out_corpus_and_says_its_baseline():
    cache, stats = fake_cache()
    report = cross_corpus.statistics_report(cache, stats, "cremad", c=1.0)
    assert report["n"] == 41 and report["speakers"] == ["cremad:0", "cremad:1", "cremad:2"]
    assert report["classes"] == list(EKMAN)
    assert report["top1_accuracy"] > 0.9          # the class is in the features, the shift is not
    assert report["always_majority_class"] == pytest.approx(6 / 41)


def test_manifest_metrics_name_the_corpus_the_training_corpora_n_and_the_baseline():
    cache, stats = fake_cache()
    results = {"statistics": {"emodb": cross_corpus.statistics_report(cache, stats, "emodb", c=1.0)}}
    entries = cross_corpus.manifest_metrics(results)
    assert [e["name"].split(",")[0] for e in entries] == ["top-1 accuracy (7 classes)", "macro-F1",
                                                           "baseline: always the most frequent class"]
    for e in entries:
        assert e["n"] == 41 and e["dataset"].startswith("EmoDB") and "all 3 speakers" in e["dataset"]
        assert "trained on RAVDESS speech, CREMA-D, TESS only" in e["split"] and 0 <= e["value"] <= 1
