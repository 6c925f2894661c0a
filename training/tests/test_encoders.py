"""Encoders: SEM placement by group, freezing that survives .train(), cacheable frozen groups."""
import pytest
import torch

from mer.backbones.tiny import TinyConv
from mer.encoders import SemanticEncoder, build_backbone


def test_sems_after_configured_groups_and_freezing():
    enc = SemanticEncoder(TinyConv(widths=(4, 8, 8)), text_dim=6, sem_after=[2, 3], freeze_groups=1)
    assert sorted(enc.sems) == ["2", "3"]
    assert enc.sems["2"].channels == 8
    frozen = list(enc.backbone.stages[0].parameters())
    assert all(not p.requires_grad for p in frozen)
    enc.train()
    assert not enc.backbone.stages[0].training and enc.backbone.stages[1].training
    out = enc(torch.rand(3, 1, 16, 16), torch.randn(3, 6))
    assert out.shape == (3, enc.out_dim)


def test_cached_start_equals_full_forward():
    torch.manual_seed(0)
    enc = SemanticEncoder(TinyConv(widths=(4, 8, 8)), text_dim=6, sem_after=[3], freeze_groups=2).eval()
    assert enc.cacheable_groups() == 2
    x, t = torch.rand(2, 1, 16, 16), torch.randn(2, 6)
    cached = enc.forward_frozen(x, 2)
    assert torch.allclose(enc(cached, t, start_group=2), enc(x, t), atol=1e-6)
    enc2 = SemanticEncoder(TinyConv(widths=(4, 8, 8)), text_dim=6, sem_after=[1], freeze_groups=2)
    assert enc2.cacheable_groups() == 1   # a SEM inside the frozen part stops the cache there


def test_cached_start_at_a_sem_still_applies_that_sem():
    torch.manual_seed(0)
    enc = SemanticEncoder(TinyConv(widths=(4, 8, 8)), text_dim=6, sem_after=[2, 3], freeze_groups=2).eval()
    with torch.no_grad():  # make SEM 2 matter, whatever its identity-like start
        for p in enc.sems["2"].parameters():
            p.add_(torch.randn_like(p) * 0.5)
    assert enc.cacheable_groups() == 2
    x, t = torch.rand(2, 1, 16, 16), torch.randn(2, 6)
    cached = enc.forward_frozen(x, 2)
    assert torch.allclose(enc(cached, t, start_group=2), enc(x, t), atol=1e-6)


def test_bad_group_and_backbone_names():
    with pytest.raises(ValueError, match="1..3"):
        SemanticEncoder(TinyConv(), 4, sem_after=[4])
    with pytest.raises(ValueError, match="vggish"):
        build_backbone({"name": "alexnet"})


def test_resnet18_paper_groups():
    enc = SemanticEncoder(build_backbone({"name": "resnet18", "in_channels": 1}), 8, sem_after=[3, 5], freeze_groups=3)
    assert [enc.sems[k].channels for k in ("3", "5")] == [128, 512]
    assert enc.out_dim == 512
    out = enc.eval()(torch.rand(1, 1, 64, 64), torch.randn(1, 8))
    assert out.shape == (1, 512)
