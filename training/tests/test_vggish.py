"""VGGish: four groups, 128-d output on a 96x64 patch, torchvggish checkpoint names load."""
import torch

from mer.backbones.vggish import VGGish, load_torchvggish_state_dict


def test_groups_and_output():
    model = VGGish().eval()
    assert model.stage_channels == [64, 128, 256, 512] and len(model.stages) == 4
    with torch.no_grad():
        assert model(torch.randn(2, 1, 96, 64)).shape == (2, 128)


def test_loads_torchvggish_layout():
    src = VGGish()
    convs = {v: k for k, v in VGGish.TORCHVGGISH_CONVS.items()}
    state = {}
    for key, value in src.state_dict().items():
        parts = key.split(".")
        if parts[0] == "stages":
            state[f"features.{convs[(int(parts[1]), int(parts[2]))]}.{parts[3]}"] = value.clone()
        else:
            state[key] = value.clone()
    state["pproc._pca_matrix"] = torch.zeros(128, 128)
    dst = VGGish()
    ignored = load_torchvggish_state_dict(dst, state)
    assert ignored == ["pproc._pca_matrix"]
    for (k, a), b in zip(src.state_dict().items(), dst.state_dict().values()):
        assert torch.equal(a, b), k
