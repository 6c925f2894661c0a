"""SEM, eq. (1)-(3): shapes, the softmax axis of our reading, and that the text steers the map."""
import pytest
import torch

from mer.sem import SemanticEnhancement


def test_shapes_and_relu():
    sem = SemanticEnhancement(8, 16)
    f = torch.randn(3, 8, 6, 4)
    out = sem(f, torch.randn(3, 16))
    assert out.shape == f.shape
    assert (out >= 0).all()


def test_attention_weights_sum_to_one_over_positions():
    torch.manual_seed(0)
    sem = SemanticEnhancement(4, 5)
    f, text = torch.randn(2, 4, 3, 5), torch.randn(2, 5)
    e = sem.attention(f, text)                                   # [N, C, H, W] = a_p * V_t
    v = sem.conv_v(text)                                         # [N, C]
    weights = e[:, 0] / v[:, :1, None]                           # a_p from channel 0
    assert torch.allclose(weights.flatten(1).sum(-1), torch.ones(2), atol=1e-5)
    # Eq. (2) by hand: softmax over HW of Q'^T K / sqrt(C).
    q = sem.conv_q(f).flatten(2)
    k = sem.conv_k(text)
    a = torch.softmax((q * k[:, :, None]).sum(1) / 2.0, dim=-1)
    assert torch.allclose(e.flatten(2), a[:, None, :] * v[:, :, None], atol=1e-6)


def test_literal_one_key_reading_broadcasts_value():
    sem = SemanticEnhancement(4, 5, softmax_over="keys")
    f, text = torch.randn(2, 4, 3, 3), torch.randn(2, 5)
    e = sem.attention(f, text)
    assert torch.allclose(e, sem.conv_v(text)[:, :, None, None].expand_as(e), atol=1e-6)


def test_text_changes_output_and_gradients_reach_all_projections():
    torch.manual_seed(1)
    sem = SemanticEnhancement(4, 6)
    with torch.no_grad():
        sem.norm.weight.fill_(1.0)
    f = torch.rand(2, 4, 5, 5)
    a, b = sem(f, torch.randn(2, 6)), sem(f, torch.randn(2, 6))
    assert not torch.allclose(a, b)
    a.sum().backward()
    for name in ("conv_q", "conv_k", "conv_v", "conv_o"):
        assert getattr(sem, name).weight.grad.abs().sum() > 0, name


def test_bad_axis_lists_choices():
    with pytest.raises(ValueError, match="positions"):
        SemanticEnhancement(4, 4, softmax_over="rows")


def test_old_state_dicts_with_full_conv_o_load_equivalently():
    """Checkpoints saved when Conv_o held the whole weight (I + W_o) load into the residual form."""
    torch.manual_seed(2)
    sem = SemanticEnhancement(4, 5).eval()
    with torch.no_grad():
        sem.conv_o.weight.normal_(0, 0.05)
    f, text = torch.rand(2, 4, 3, 3), torch.randn(2, 5)
    want = sem(f, text)
    old = {k: v.clone() for k, v in sem.state_dict().items() if k != "residual_output_conv"}
    old["conv_o.weight"][:, :, 0, 0] += torch.eye(4)
    fresh = SemanticEnhancement(4, 5).eval()
    fresh.load_state_dict(old)
    assert torch.allclose(fresh(f, text), want, atol=1e-6)
    fresh.load_state_dict(sem.state_dict())      # new-form state dicts load unchanged
    assert torch.allclose(fresh(f, text), want, atol=1e-6)
    unmarked = {k: v for k, v in sem.state_dict().items() if k != "residual_output_conv"}
    fresh.load_state_dict(unmarked)              # residual form saved before the marker existed
    assert torch.allclose(fresh(f, text), want, atol=1e-6)
