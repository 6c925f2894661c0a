"""mini-Xception (Arriaga et al. 2017, oarriaga/face_classification) ported from its Keras 2 HDF5
weights, as a FER2013-pretrained visual backbone and as the baseline our own face CNN is
measured against (../shared/weights/mini_xception, 0.66 FER2013 accuracy as published).

Its five convolution groups map onto the Backbone shape: the two-conv base, then the four
residual depthwise-separable modules (8, 16, 32, 64, 128 channels). Input is what the browser
feeds, 1x48x48 grey in [0, 1]; the stem does the original preprocessing inside the graph
(bilinear resize to 64x64 like its cv2.resize, then ``preprocess_input``: x * 2 - 1).
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .base import Backbone
from .same_padding import max_pool2d_same

DEFAULT_WEIGHTS = Path(__file__).resolve().parents[3].parent / "shared" / "weights" / "mini_xception" / "fer2013_mini_XCEPTION.102-0.66.hdf5"
# The Keras model's class order; it equals Ekman-7 in training/configs/features.json.
KERAS_LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
KERAS_BN_EPS = 1e-3


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=KERAS_BN_EPS)


class SeparableConv(nn.Sequential):
    """Keras SeparableConv2D (3x3 depthwise then 1x1 pointwise, no bias)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)


class SamePadMaxPool(nn.Module):
    """TensorFlow 3x3 stride-2 max pool with SAME padding (extra padding goes right/bottom)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return max_pool2d_same(x, 3, 2)


class XceptionModule(nn.Module):
    """Residual module: 1x1 stride-2 conv + BN shortcut, added to sep-conv, BN, ReLU, sep-conv,
    BN, max pool."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=2, bias=False), _bn(cout))
        self.sep1, self.bn1 = SeparableConv(cin, cout), _bn(cout)
        self.sep2, self.bn2 = SeparableConv(cout, cout), _bn(cout)
        self.pool = SamePadMaxPool()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.sep1(x)))
        y = self.pool(self.bn2(self.sep2(y)))
        return y + self.shortcut(x)


class MiniXceptionBackbone(Backbone):
    """mini-Xception as five groups; ``head`` = global average pool -> [B, 128]."""

    def __init__(self, input_size: int = 64) -> None:
        super().__init__()
        self.input_size = input_size
        base = nn.Sequential(
            nn.Conv2d(1, 8, 3, bias=False), _bn(8), nn.ReLU(inplace=True),
            nn.Conv2d(8, 8, 3, bias=False), _bn(8), nn.ReLU(inplace=True),
        )
        widths = [8, 16, 32, 64, 128]
        self.stages = nn.ModuleList([base] + [XceptionModule(widths[i], widths[i + 1]) for i in range(4)])
        self.stage_channels = widths
        self.out_dim = widths[-1]

    def stem(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.input_size or x.shape[-2] != self.input_size:
            x = F.interpolate(x, size=(self.input_size, self.input_size), mode="bilinear", align_corners=False)
        return x * 2 - 1

    def head(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3))


class MiniXceptionClassifier(nn.Module):
    """The full Keras model: backbone, 3x3 conv to 7 classes, global average pool (logits)."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = MiniXceptionBackbone()
        self.classifier = nn.Conv2d(128, len(KERAS_LABELS), 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.backbone.stem(x)
        for stage in self.backbone.stages:
            x = stage(x)
        return self.classifier(x).mean(dim=(2, 3))


def _keras_weights(path: Path) -> dict[str, dict[str, torch.Tensor]]:
    import h5py

    out: dict[str, dict[str, torch.Tensor]] = {}
    with h5py.File(path, "r") as f:
        group = f["model_weights"] if "model_weights" in f else f

        def visit(name: str, obj) -> None:
            if isinstance(obj, h5py.Dataset):
                layer = name.split("/")[0]
                out.setdefault(layer, {})[name.split("/")[-1].split(":")[0]] = torch.from_numpy(obj[()])

        group.visititems(visit)
    return out


def load_keras_mini_xception(path: str | Path = DEFAULT_WEIGHTS) -> MiniXceptionClassifier:
    """Build the classifier and copy the Keras weights in (layers matched by creation order,
    which is how Keras numbered them: conv2d_1.., separable_conv2d_1.., batch_normalization_1..)."""
    w = _keras_weights(Path(path))
    model = MiniXceptionClassifier()
    conv = lambda i: w[f"conv2d_{i}"]["kernel"].permute(3, 2, 0, 1)  # noqa: E731  [kh,kw,in,out] -> [out,in,kh,kw]

    def bn(module: nn.BatchNorm2d, i: int) -> None:
        b = w[f"batch_normalization_{i}"]
        module.weight.data.copy_(b["gamma"])
        module.bias.data.copy_(b["beta"])
        module.running_mean.copy_(b["moving_mean"])
        module.running_var.copy_(b["moving_variance"])

    def sep(module: SeparableConv, i: int) -> None:
        s = w[f"separable_conv2d_{i}"]
        module.depthwise.weight.data.copy_(s["depthwise_kernel"].permute(2, 3, 0, 1))
        module.pointwise.weight.data.copy_(s["pointwise_kernel"].permute(3, 2, 0, 1))

    base = model.backbone.stages[0]
    base[0].weight.data.copy_(conv(1))
    bn(base[1], 1)
    base[3].weight.data.copy_(conv(2))
    bn(base[4], 2)
    # Keras numbering per module k (0-based): shortcut conv2d_{3+k}, BN 3+3k (shortcut),
    # 4+3k and 5+3k (separable branch); separable_conv2d 1+2k, 2+2k.
    for k, module in enumerate(list(model.backbone.stages)[1:]):
        module.shortcut[0].weight.data.copy_(conv(3 + k))
        bn(module.shortcut[1], 3 + 3 * k)
        sep(module.sep1, 1 + 2 * k)
        bn(module.bn1, 4 + 3 * k)
        sep(module.sep2, 2 + 2 * k)
        bn(module.bn2, 5 + 3 * k)
    model.classifier.weight.data.copy_(conv(7))
    model.classifier.bias.data.copy_(w["conv2d_7"]["bias"])
    return model.eval()


def mini_xception_backbone(pretrained_path: str | Path | None = None) -> MiniXceptionBackbone:
    """The five-group backbone (out_dim 128) for the visual encoder.

    ``pretrained_path``: the Keras ``.hdf5`` itself, or a state_dict written by ``mer.pretrain.fer``
    (e.g. training/checkpoints/visual_fer.pt, keys ``backbone.*``; the classifier is dropped).
    """
    if pretrained_path is None:
        return MiniXceptionBackbone()
    path = Path(pretrained_path)
    if path.suffix in (".h5", ".hdf5"):
        return load_keras_mini_xception(path).backbone
    state = torch.load(path, map_location="cpu")
    backbone = MiniXceptionBackbone()
    backbone.load_state_dict({k[len("backbone."):]: v.float() if v.is_floating_point() else v
                              for k, v in state.items() if k.startswith("backbone.")})
    return backbone
