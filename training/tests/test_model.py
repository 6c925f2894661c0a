"""The whole MER model: variants, masks, all seven modality subsets, the "no text" embedding."""
import itertools

import pytest
import torch

from _mer_helpers import inputs, tiny_config
from mer.config import VARIANTS
from mer.model import build_model


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variants_build_and_run(variant):
    model = build_model(tiny_config(variant=variant)).eval()
    out = model(**inputs())
    assert out["fused"].shape == (2, 7) and out["audio_segments"].shape == (2, 4, 7)
    has_sem = len(model.audio_encoder.sems) > 0
    assert has_sem == ("SEM" in variant)
    assert (model.config["model"]["cross_modal"] == "mbt") == ("MBT" in variant)


@pytest.mark.parametrize("keep", [k for k in itertools.product([0, 1], repeat=3) if any(k)])
def test_every_modality_subset(keep):
    model = build_model(tiny_config()).eval()
    x = inputs()
    x["audio_mask"] *= keep[0]
    x["visual_mask"] *= keep[1]
    x["text_mask"] *= keep[2]
    out = model(**x)
    for v in out.values():
        assert torch.isfinite(v).all()
    alpha = out["alpha"]
    assert torch.equal(alpha == 0, torch.tensor(keep).expand(2, 3) == 0)
    assert torch.allclose(alpha.sum(-1), torch.ones(2))


def test_missing_segments_excluded_and_no_text_embedding():
    model = build_model(tiny_config()).eval()
    x = inputs()
    x["visual_mask"][:, -1] = 0
    base = model(**x)
    y = dict(x, faces=x["faces"].clone())
    y["faces"][:, -1] = torch.rand_like(y["faces"][:, -1])
    changed = model(**y)
    assert torch.allclose(base["visual"], changed["visual"], atol=1e-5)
    # text absent: I_t values must not matter, the SEMs see the learned no-text embedding
    x["text_mask"][:] = 0
    a = model(**x)
    b = model(**dict(x, text_cls=torch.randn_like(x["text_cls"]) * 10))
    assert torch.allclose(a["fused"], b["fused"], atol=1e-5)
    assert model.no_text.requires_grad


def test_without_text_decision_and_table5_encoders():
    model = build_model(tiny_config(text_decision=False)).eval()
    assert (model(**inputs())["alpha"][:, 2] == 0).all()
    for kind in ("joint", "bicross", "none"):
        model = build_model(tiny_config(cross_modal=kind)).eval()
        assert torch.isfinite(model(**inputs())["fused"]).all()


def test_parameter_groups_split_backbone():
    model = build_model(tiny_config())
    backbone, rest = model.parameter_groups()
    ids = {id(p) for p in model.audio_encoder.backbone.parameters()} | {id(p) for p in model.visual_encoder.backbone.parameters()}
    assert backbone and all(id(p) in ids and p.requires_grad for p in backbone)
    assert all(id(p) not in ids for p in rest)
    assert len(backbone) + len(rest) == sum(1 for p in model.parameters() if p.requires_grad)
