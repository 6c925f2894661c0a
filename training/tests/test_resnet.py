"""ResNet visual backbones: group shapes, freezing, torchvision compatibility."""
import pytest
import torch
import torchvision

from mer.backbones.base import Backbone
from mer.backbones.resnet import face_resnet, load_torchvision_resnet18, resnet18_backbone


def _shapes_through_groups(model: Backbone, x: torch.Tensor) -> list[tuple[int, ...]]:
    shapes = []
    x = model.stem(x)
    for stage in model.stages:
        x = stage(x)
        shapes.append(tuple(x.shape))
    return shapes


def test_resnet18_groups_and_shapes():
    model = resnet18_backbone().eval()
    assert isinstance(model, Backbone)
    assert len(model.stages) == 5
    assert model.stage_channels == [64, 64, 128, 256, 512]
    assert model.out_dim == 512
    shapes = _shapes_through_groups(model, torch.rand(2, 3, 64, 64))
    assert shapes == [(2, 64, 16, 16), (2, 64, 16, 16), (2, 128, 8, 8), (2, 256, 4, 4), (2, 512, 2, 2)]
    assert model(torch.rand(2, 3, 64, 64)).shape == (2, 512)


def test_resnet18_loads_torchvision_state_dict_and_matches_its_features():
    reference = torchvision.models.resnet18(weights=None).eval()
    # Non-trivial batch-norm statistics so a mis-mapped buffer would show.
    for m in reference.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    model = resnet18_backbone().eval()
    ignored = load_torchvision_resnet18(model, reference.state_dict())
    assert sorted(ignored) == ["fc.bias", "fc.weight"]
    x = torch.rand(2, 3, 64, 64)
    normalised = model.stem(x)
    features = torch.nn.Sequential(*list(reference.children())[:-1])
    with torch.no_grad():
        expected = features(normalised).flatten(1)
        assert torch.allclose(model(x), expected, atol=1e-5)


def test_resnet18_pretrained_path_and_grey_input(tmp_path):
    reference = torchvision.models.resnet18(weights=None)
    path = tmp_path / "resnet18.pt"
    torch.save({"state_dict": reference.state_dict()}, path)
    grey = resnet18_backbone(in_channels=1, pretrained_path=str(path))
    assert torch.allclose(grey.stages[0].conv1.weight, reference.conv1.weight.sum(1, keepdim=True))
    assert grey(torch.rand(1, 1, 64, 64)).shape == (1, 512)


def test_resnet18_rejects_a_state_dict_that_does_not_fit():
    with pytest.raises(ValueError, match="does not fit"):
        load_torchvision_resnet18(resnet18_backbone(), {"layer1.0.conv1.weight": torch.zeros(1)})
    with pytest.raises(ValueError, match="does not fit"):
        load_torchvision_resnet18(resnet18_backbone(), {"conv1.weight": torch.zeros(64, 3, 7, 7)})


def test_face_resnet_groups_on_48px_grey_faces():
    model = face_resnet(widths=(8, 8, 16, 32, 64)).eval()
    assert len(model.stages) == 5
    assert model.stage_channels == [8, 8, 16, 32, 64]
    assert model.out_dim == 64
    shapes = _shapes_through_groups(model, torch.rand(2, 1, 48, 48))
    assert shapes == [(2, 8, 48, 48), (2, 8, 24, 24), (2, 16, 12, 12), (2, 32, 6, 6), (2, 64, 3, 3)]
    assert model(torch.rand(2, 1, 48, 48)).shape == (2, 64)
    # Normalisation lives in the stem, so the browser feeds plain [0, 1] crops.
    assert not torch.allclose(model.stem(torch.full((1, 1, 4, 4), 0.5)), torch.full((1, 1, 4, 4), 0.5))


def test_freeze_groups_freezes_weights_and_batch_norm_statistics():
    model = face_resnet(widths=(8, 8, 16, 32, 64))
    model.train()
    model.freeze_groups(3)
    for i, stage in enumerate(model.stages):
        frozen = i < 3
        assert all(p.requires_grad != frozen for p in stage.parameters())
        assert all(m.training != frozen for m in stage.modules())
    before = model.stages[0].bn1.running_mean.clone()
    model(torch.rand(4, 1, 48, 48))
    assert torch.equal(model.stages[0].bn1.running_mean, before)
    assert not torch.equal(model.stages[4][0].bn1.running_mean, torch.zeros(64))


def test_face_resnet_loads_its_exported_checkpoint(tmp_path):
    from mer.pretrain.fer import FaceExpressionNet

    net = FaceExpressionNet(face_resnet(widths=(8, 8, 16, 32, 64)))
    path = tmp_path / "visual.pt"
    torch.save({k: v.half() if v.is_floating_point() else v for k, v in net.state_dict().items()}, path)
    loaded = face_resnet(widths=(8, 8, 16, 32, 64), pretrained_path=str(path))
    assert torch.allclose(loaded.stages[1][0].conv1.weight, net.backbone.stages[1][0].conv1.weight.half().float())
