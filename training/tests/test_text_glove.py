"""GloVe initialisation of the word-piece embeddings: the projection keeps geometry, only
whole-word rows with a vector are replaced, and they match the random rows' scale."""
import numpy as np
import torch

from mer.text.bert import BertConfig, BertModel
from mer.text.glove import glove_rows, init_word_embeddings, orthonormal_projection


def test_projection_keeps_dot_products():
    p = orthonormal_projection(100, 256, seed=1)
    assert p.shape == (100, 256)
    assert np.allclose(p @ p.T, np.eye(100), atol=1e-5)


def test_rows_are_rescaled_and_cosines_kept():
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((6, 100)).astype(np.float32)
    found = np.array([1, 0, 1, 1, 0, 1], dtype=bool)
    rows = glove_rows(vectors, found, 128, target_std=0.02)
    assert rows.shape == (4, 128) and abs(rows.std() - 0.02) < 1e-6
    cos = lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    assert abs(cos(rows[0], rows[1]) - cos(vectors[0], vectors[2])) < 1e-5


def test_init_replaces_only_found_rows(tmp_path):
    config = BertConfig(vocab_size=10, hidden_size=128, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=8)
    torch.manual_seed(0)
    bert = BertModel(config)
    before = bert.embeddings.word_embeddings.weight.detach().clone()
    vectors = np.random.default_rng(0).standard_normal((10, 100)).astype(np.float32)
    found = np.zeros(10, dtype=np.uint8)
    found[[2, 5, 7]] = 1
    np.save(tmp_path / "g.npy", vectors)
    np.save(tmp_path / "g_found.npy", found)
    assert init_word_embeddings(bert, tmp_path / "g.npy") == 3
    after = bert.embeddings.word_embeddings.weight.detach()
    changed = (after != before).any(1).nonzero().flatten().tolist()
    assert changed == [2, 5, 7]
