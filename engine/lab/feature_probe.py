"""What the features still know: a linear probe re-fitted on the source task's features.

Source accuracy through the *original head* asks whether the old head still reads the new
features; a *re-fitted* probe asks whether the knowledge is still in the features at all.
Fine-tuning can scramble the first and keep the second, so the two may rank strategies in
opposite orders.
"""

from __future__ import annotations

import torch
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score

from engine.lab.data import Split
from engine.lab.model import SmallResNet

PROBE_FOLDS = 2
PROBE_SEED = 0


@torch.no_grad()
def feature_probe_accuracy(model: SmallResNet, source: Split, device: torch.device) -> float:
    """Mean held-out accuracy of a ridge classifier (closed form, well under a second) fitted
    on ``model``'s pooled features of the source images, by stratified two-fold
    cross-validation so every image is scored once by a probe that never saw it."""
    was_training = model.training
    model.eval()
    images = source.images.to(device)
    features = torch.cat([model.features(images[i : i + 512]) for i in range(0, len(images), 512)])
    model.train(was_training)
    folds = StratifiedKFold(PROBE_FOLDS, shuffle=True, random_state=PROBE_SEED)
    scores = cross_val_score(
        RidgeClassifier(alpha=1.0), features.cpu().numpy(), source.labels.numpy(), cv=folds
    )
    return float(scores.mean())
