"""Where and how a run trains: CUDA, then MPS, then CPU; how many CPU threads it may use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from engine.runtime.settings import load_settings

DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")
# One intra-op thread by default. Measured on the shared 2-core machine under load: a 3-epoch
# partial run took 1.6 s with 1 thread and 10-20 s with 2 (OpenMP threads wait for each other
# whenever another process holds a core). One thread also leaves a core to serve the pages.
DEFAULT_TRAIN_THREADS = load_settings().train_threads


def pick_device(requested: str = "auto") -> torch.device:
    """CUDA, then Apple's MPS, then CPU; an explicit request must be available."""
    if requested not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}; got {requested!r}")
    cuda, mps = torch.cuda.is_available(), torch.backends.mps.is_available()
    if requested == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if (requested == "cuda" and not cuda) or (requested == "mps" and not mps):
        raise ValueError(f"device {requested!r} is not available here; use 'auto' or 'cpu'")
    return torch.device(requested)


def available_devices() -> list[str]:
    """The DEVICES a run can ask for on this machine, "auto" first."""
    present = {"cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    return [d for d in DEVICES if present.get(d, True)]


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Use ``n`` intra-op threads inside the block, then restore the previous setting."""
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
