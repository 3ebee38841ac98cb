"""SmallResNet keeps torchvision's names, so freezing code written for resnet18 runs on it."""

import torch
from torchvision.models.resnet import BasicBlock

from engine.lab.model import BACKBONE_BLOCKS, SmallResNet
from engine.lab.params import parameter_table


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
    assert parameter_table(model).total_scalars == by_state == 315_792
