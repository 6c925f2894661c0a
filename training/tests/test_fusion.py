"""Attentive decision fusion, eq. (4)-(6), with our reading of eq. (5) and the missing-modality rules."""
import torch

from mer.fusion import AttentiveDecisionFusion


def test_matches_equations_by_hand():
    torch.manual_seed(0)
    m = 5
    fusion = AttentiveDecisionFusion(m)
    sa, sv, st = torch.randn(1, m), torch.randn(1, m), torch.randn(1, m)
    fused, alpha = fusion(sa, sv, st, torch.ones(1, 3))
    s_con = torch.stack([sa[0], sv[0], st[0]], dim=1)                 # M x 3
    s_prime = torch.tanh(fusion.w1.weight @ s_con)                   # eq. (4)
    w2 = fusion.w2                                                   # M x 3
    alpha_ref = torch.softmax(torch.diagonal(w2.T @ s_prime), dim=0)  # eq. (5), alpha in R^{1x3}
    assert torch.allclose(alpha[0], alpha_ref, atol=1e-6)
    assert torch.allclose(fused[0], s_con @ alpha_ref, atol=1e-6)    # eq. (6)


def test_missing_modality_gets_exactly_zero():
    fusion = AttentiveDecisionFusion(4)
    s = [torch.randn(3, 4) for _ in range(3)]
    present = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    fused, alpha = fusion(*s, present)
    assert (alpha[present == 0] == 0).all()
    assert torch.allclose(alpha.sum(-1), torch.ones(3))
    assert torch.allclose(fused[1], s[2][1], atol=1e-6)              # text alone -> its decision
    s_bad = [s[0], s[1] * 1e3 + 7, s[2]]
    fused2, _ = fusion(*s_bad, present)
    assert torch.allclose(fused[0], fused2[0]) and torch.allclose(fused[1], fused2[1])


def test_without_text_decision_and_shared_scoring():
    fusion = AttentiveDecisionFusion(4, use_text=False)
    _, alpha = fusion(torch.randn(2, 4), torch.randn(2, 4), torch.randn(2, 4), torch.ones(2, 3))
    assert (alpha[:, 2] == 0).all()
    shared = AttentiveDecisionFusion(4, scoring="shared")
    assert shared.w2.shape == (4, 1)
    _, alpha = shared(torch.randn(2, 4), torch.randn(2, 4), torch.randn(2, 4), torch.ones(2, 3))
    assert torch.allclose(alpha.sum(-1), torch.ones(2))
