"""SmallResNet keeps torchvision's names; the classifier variant runs `model.classifier` code."""

import torch
from torchvision.models.resnet import BasicBlock

from engine.lab.model import (
    BACKBONE_BLOCKS,
    SmallResNet,
    count_parameters,
    with_classifier_head,
)


def test_small_resnet_has_torchvision_block_names_and_basic_blocks():
    model = SmallResNet(10)
    names = [name for name, _ in model.named_children()]
    for name in (*BACKBONE_BLOCKS, "fc"):
        assert name in names
    assert isinstance(model.layer1[0], BasicBlock)
    assert model.fc.in_features == 128


def test_small_resnet_maps_32_pixel_images_to_class_logits():
    logits = SmallResNet(10).eval()(torch.zeros(4, 3, 32, 32))
    assert logits.shape == (4, 10)


def test_parameter_count_is_about_a_third_of_a_million():
    # Every parameter tensor counted by numel, compared with the state dict (buffers excluded).
    model = SmallResNet(64)
    by_state = sum(
        v.numel()
        for k, v in model.state_dict().items()
        if "running" not in k and "num_batches" not in k
    )
    assert count_parameters(model) == by_state == 315_792


def test_classifier_variant_renames_the_head_and_keeps_the_outputs():
    torch.manual_seed(0)
    model = SmallResNet(10).eval()
    variant = with_classifier_head(model).eval()
    x = torch.randn(3, 3, 32, 32)
    assert not hasattr(variant, "fc")
    assert variant.classifier.out_features == 10
    assert torch.equal(model(x), variant(x))
