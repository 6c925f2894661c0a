"""The mini-Xception port: same outputs as the Keras graph computed independently in numpy
straight from the HDF5 kernels (Keras layouts, TensorFlow SAME/VALID padding)."""
import numpy as np
import pytest
import torch

from mer.backbones.base import Backbone
from mer.backbones.mini_xception import DEFAULT_WEIGHTS, MiniXceptionBackbone, _keras_weights, load_keras_mini_xception

needs_weights = pytest.mark.skipif(not DEFAULT_WEIGHTS.exists(), reason="../shared/weights/mini_xception not present")


def _conv(x, k, stride=1, same=True):
    """x [H, W, Cin], Keras kernel [kh, kw, Cin, Cout]."""
    kh, kw = k.shape[:2]
    h, w = x.shape[:2]
    if same:
        oh, ow = -(-h // stride), -(-w // stride)
        ph, pw = max((oh - 1) * stride + kh - h, 0), max((ow - 1) * stride + kw - w, 0)
        x = np.pad(x, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    oh, ow = (x.shape[0] - kh) // stride + 1, (x.shape[1] - kw) // stride + 1
    out = np.zeros((oh, ow, k.shape[3]))
    for i in range(kh):
        for j in range(kw):
            out += x[i:i + stride * oh:stride, j:j + stride * ow:stride] @ k[i, j]
    return out


def _depthwise(x, k):
    """Keras depthwise kernel [3, 3, C, 1], SAME, stride 1."""
    xp = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    h, w = x.shape[:2]
    return sum(xp[i:i + h, j:j + w] * k[i, j, :, 0] for i in range(3) for j in range(3))


def _maxpool_same(x):
    h, w = x.shape[:2]
    oh, ow = -(-h // 2), -(-w // 2)
    ph, pw = max((oh - 1) * 2 + 3 - h, 0), max((ow - 1) * 2 + 3 - w, 0)
    xp = np.pad(x, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)), constant_values=-np.inf)
    return np.max([xp[i:i + 2 * oh:2, j:j + 2 * ow:2] for i in range(3) for j in range(3)], axis=0)


def _keras_forward(w, image64):
    bn = lambda x, i: (x - w[f"batch_normalization_{i}"]["moving_mean"].numpy()) / np.sqrt(  # noqa: E731
        w[f"batch_normalization_{i}"]["moving_variance"].numpy() + 1e-3) * w[f"batch_normalization_{i}"]["gamma"].numpy() \
        + w[f"batch_normalization_{i}"]["beta"].numpy()
    k = lambda name, part="kernel": w[name][part].numpy().astype(np.float64)  # noqa: E731
    relu = lambda x: np.maximum(x, 0)  # noqa: E731
    x = image64[:, :, None].astype(np.float64)
    x = relu(bn(_conv(x, k("conv2d_1"), same=False), 1))
    x = relu(bn(_conv(x, k("conv2d_2"), same=False), 2))
    for m in range(4):
        shortcut = bn(_conv(x, k(f"conv2d_{3 + m}"), stride=2), 3 + 3 * m)
        s1, s2 = f"separable_conv2d_{1 + 2 * m}", f"separable_conv2d_{2 + 2 * m}"
        y = relu(bn(_conv(_depthwise(x, k(s1, "depthwise_kernel")), k(s1, "pointwise_kernel")), 4 + 3 * m))
        y = bn(_conv(_depthwise(y, k(s2, "depthwise_kernel")), k(s2, "pointwise_kernel")), 5 + 3 * m)
        x = _maxpool_same(y) + shortcut
    logits = (_conv(x, k("conv2d_7")) + w["conv2d_7"]["bias"].numpy()).mean(axis=(0, 1))
    return logits


@needs_weights
def test_port_matches_the_keras_graph_in_numpy():
    model = load_keras_mini_xception()
    weights = _keras_weights(DEFAULT_WEIGHTS)
    rng = np.random.default_rng(0)
    image = rng.random((64, 64), dtype=np.float32)  # 64 px: the stem's resize is then a no-op
    expected = _keras_forward(weights, image * 2 - 1)
    with torch.no_grad():
        got = model(torch.from_numpy(image)[None, None]).numpy()[0]
    assert np.allclose(got, expected, atol=1e-4), (got, expected)


@needs_weights
def test_port_takes_48px_browser_crops_and_keeps_the_label_order():
    from mer.pretrain.fer import LABELS
    from mer.backbones.mini_xception import KERAS_LABELS

    model = load_keras_mini_xception()
    assert [l[:3] for l in KERAS_LABELS] == [l[:3] for l in ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")]
    assert len(LABELS) == len(KERAS_LABELS)
    with torch.no_grad():
        assert model(torch.rand(2, 1, 48, 48)).shape == (2, 7)


def test_backbone_groups():
    model = MiniXceptionBackbone().eval()
    assert isinstance(model, Backbone)
    assert model.stage_channels == [8, 16, 32, 64, 128] and model.out_dim == 128
    x = model.stem(torch.rand(1, 1, 48, 48))
    shapes = []
    for stage in model.stages:
        x = stage(x)
        shapes.append(tuple(x.shape[1:]))
    assert shapes == [(8, 60, 60), (16, 30, 30), (32, 15, 15), (64, 8, 8), (128, 4, 4)]
    assert model(torch.rand(3, 1, 48, 48)).shape == (3, 128)
    model.freeze_groups(3)
    assert not any(p.requires_grad for p in model.stages[2].parameters())
    assert all(p.requires_grad for p in model.stages[3].parameters())


@needs_weights
def test_backbone_loads_from_hdf5_and_from_an_exported_state_dict(tmp_path):
    from mer.backbones.mini_xception import mini_xception_backbone

    full = load_keras_mini_xception()
    path = tmp_path / "visual_fer.pt"
    torch.save({k: v.half() if v.is_floating_point() else v for k, v in full.state_dict().items()}, path)
    x = torch.rand(2, 1, 48, 48)
    with torch.no_grad():
        a = mini_xception_backbone(DEFAULT_WEIGHTS).eval()(x)
        b = mini_xception_backbone(path).eval()(x)
    assert a.shape == (2, 128)
    assert torch.allclose(a, b, atol=0.05)
