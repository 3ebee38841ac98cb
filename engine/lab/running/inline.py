"""Train in the app server itself, one run at a time per server, in the caller's thread."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from engine.lab.config import FinetuneConfig
from engine.lab.device import pick_device
from engine.lab.running.api import ExecutedRun, RunRequest
from engine.lab.running.run_queue import shared_queue
from engine.lab.train import finetune

log = logging.getLogger(__name__)


@dataclass
class InlineExecutor:
    """Train in the caller's thread, one run at a time per server (the default)."""

    name: str = "inline"

    def device_kind(self, config: FinetuneConfig) -> str:
        return pick_device(config.device).type

    def queue_counts(self) -> tuple[int, int]:
        # Per server on purpose: this line guards this server's own cores (see README).
        return shared_queue().counts()

    def run(self, request: RunRequest) -> ExecutedRun:
        log.info("lab run queued: %s, seed %s", request.config.plan.preset, request.config.seed)
        with shared_queue().slot(request.owner, on_wait=request.on_wait) as ticket:
            log.info("lab run started: %s", request.config.plan.preset)
            result = finetune(
                request.config,
                request.pretrained.model,
                on_epoch=request.on_epoch,
                on_batch=request.on_batch,
                should_stop=lambda: ticket.cancel_requested.is_set() or request.should_stop(),
            )
        log.info(
            "lab run %s: %s, %d epochs",
            "stopped" if result.cancelled else "finished",
            request.config.plan.preset,
            len(result.history),
        )
        return ExecutedRun(result)
