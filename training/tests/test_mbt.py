"""MBT (section 3.2) and the Table 5 encoders: shapes, key masking, absent modalities, dynamic T."""
import pytest
import torch

from mer.attention import MultiHeadAttention, sinusoidal_positions
from mer.cross_attention import CROSS_MODAL_KINDS, build_cross_modal
from mer.mbt import BottleneckTransformer


def _seqs(b=2, t=5):
    torch.manual_seed(0)
    return torch.randn(b, t, 12), torch.randn(b, t, 20), torch.ones(b, t), torch.ones(b, t)


@pytest.mark.parametrize("kind", CROSS_MODAL_KINDS)
def test_shapes(kind):
    enc = build_cross_modal(kind, 12, 20, dim=16, heads=8, bottlenecks=4, layers=2, dropout=0.0).eval()
    a, v, ma, mv = _seqs()
    oa, ov = enc(a, v, ma, mv)
    assert oa.shape == (2, 5, 16) and ov.shape == (2, 5, 16)


@pytest.mark.parametrize("kind", CROSS_MODAL_KINDS)
def test_masked_segments_do_not_leak(kind):
    """Changing a masked audio segment changes nothing at the present segments of either stream."""
    enc = build_cross_modal(kind, 12, 20, dim=16, heads=4, layers=1, dropout=0.0).eval()
    a, v, ma, mv = _seqs()
    ma[:, -1] = 0
    a2 = a.clone()
    a2[:, -1] += 100.0
    oa, ov = enc(a, v, ma, mv)
    oa2, ov2 = enc(a2, v, ma, mv)
    assert torch.allclose(ov, ov2, atol=1e-5)
    assert torch.allclose(oa[:, :-1], oa2[:, :-1], atol=1e-5)


@pytest.mark.parametrize("kind", ["mbt", "bicross"])
def test_absent_modality_contributes_nothing(kind):
    enc = build_cross_modal(kind, 12, 20, dim=16, heads=4, layers=1, dropout=0.0).eval()
    a, v, ma, mv = _seqs()
    mv[:] = 0
    oa, _ = enc(a, v, ma, mv)
    oa2, _ = enc(a, v * 5 + 3, ma, mv)
    assert torch.allclose(oa, oa2, atol=1e-5)
    assert torch.isfinite(oa).all()


def test_mbt_bottleneck_count_and_exchange():
    mbt = BottleneckTransformer(12, 20, dim=64, heads=8, bottlenecks=4, layers=1, dropout=0.0).eval()
    assert mbt.bottleneck.shape == (1, 4, 64)
    a, v, ma, mv = _seqs()
    oa, _ = mbt(a, v, ma, mv)
    oa2, _ = mbt(a, v + 1.0, ma, mv)
    assert not torch.allclose(oa, oa2)   # visual information reaches audio through b'


def test_positions_are_sine_cosine():
    pe = sinusoidal_positions(torch.zeros(1, 6, 3), 8)
    assert pe.shape == (6, 8)
    assert torch.allclose(pe[:, 0], torch.sin(torch.arange(6.0)))
    assert torch.allclose(pe[:, 1], torch.cos(torch.arange(6.0)))


def test_all_keys_masked_is_finite():
    mha = MultiHeadAttention(16, 4)
    out = mha(torch.randn(1, 3, 16), torch.randn(1, 5, 16), torch.zeros(1, 5))
    assert torch.isfinite(out).all()


def test_unknown_kind_lists_choices():
    with pytest.raises(ValueError, match="bicross"):
        build_cross_modal("lstm", 4, 4)
