"""Lab runs as Ray tasks: one streaming generator per run, one plain dict per epoch.

The task loads the checkpoint on its worker (verifying the sha the page asked for), trains
with ``finetune`` and yields ``{"epoch": ...}`` after every epoch and ``{"result": ...}`` at
the end. The page polls the generator with a short timeout rather than blocking on it, so a
Stop (a Streamlit rerun) interrupts promptly; leaving early cancels the task.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import ray
from ray.exceptions import (
    NodeDiedError,
    ObjectLostError,
    OwnerDiedError,
    RayError,
    WorkerCrashedError,
)

from engine.lab.config import FinetuneConfig
from engine.lab.device import pick_device
from engine.lab.running.api import ExecutedRun, RunLost, RunRequest, RunStopped
from engine.lab.running.wire import (
    config_from_dict,
    config_to_dict,
    epoch_from_dict,
    result_from_dict,
)
from engine.metrics.training_curves import EpochRecord
from engine.runtime.settings import load_settings
from engine.store.cluster_queue import ClusterQueue
from engine.store.errors import StoreError

# A small run needs one core; a GPU holds many small runs at once (measured in bench/RESULTS.md).
CPUS_PER_RUN = load_settings().ray_cpus_per_run
GPU_SHARE_PER_RUN = load_settings().ray_gpu_per_run
T = TypeVar("T")
POLL_S = 0.2
WAIT_NOTE_EVERY_S = 1.0
LOST_MESSAGE = (
    "The machine training your run stopped before it finished, so nothing of that run was "
    "kept. Press Train to run it again."
)
# Errors that mean the worker, its machine or its result went away (not a bug in the run).
LOST_ERRORS = (WorkerCrashedError, NodeDiedError, ObjectLostError, OwnerDiedError)


def train_streaming(config_data: dict[str, Any], checkpoint_sha: str) -> Iterator[dict[str, Any]]:
    """The task body (a plain generator, so tests can run it without Ray)."""
    from engine.lab.checkpoint import CheckpointError, load_pretrained
    from engine.lab.running.wire import epoch_to_dict, result_to_dict
    from engine.lab.train import finetune

    pretrained = load_pretrained()
    if pretrained.meta.get("sha256") != checkpoint_sha:
        raise CheckpointError(
            f"this worker's checkpoint is {pretrained.meta.get('sha256')}, the page asked for "
            f"{checkpoint_sha}: deploy the same weights to every machine"
        )
    # The worker has taken the run: it leaves the line (see engine.store.cluster_queue).
    yield {"started": True}
    epochs: list[EpochRecord] = []
    done = threading.Event()
    result_box: list[Any] = []

    # finetune reports epochs through a callback; a thread turns them into yields.
    def work() -> None:
        try:
            result_box.append(
                finetune(config_from_dict(config_data), pretrained.model, epochs.append)
            )
        except BaseException as err:  # re-raised in the task below
            result_box.append(err)
        finally:
            done.set()

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    sent = 0
    while not done.wait(0.05) or sent < len(epochs):
        while sent < len(epochs):
            yield {"epoch": epoch_to_dict(epochs[sent])}
            sent += 1
    outcome = result_box[0]
    if isinstance(outcome, BaseException):
        raise outcome
    yield {"result": result_to_dict(outcome)}


@dataclass
class RayExecutor:
    address: str
    # Where every app server counts the runs it submitted, so a learner sees their place.
    queue: ClusterQueue | None = None
    name: str = "ray"
    _connected: bool = field(default=False, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def _connect(self) -> None:
        with self._lock:
            if not self._connected:
                if not ray.is_initialized():
                    ray.init(address=self.address, log_to_driver=False)
                self._connected = True

    def cluster_has_gpus(self) -> bool:
        self._connect()
        return ray.cluster_resources().get("GPU", 0) > 0

    def device_kind(self, config: FinetuneConfig) -> str:
        if config.device == "auto":
            return "cuda" if self.cluster_has_gpus() else "cpu"
        return pick_device(config.device).type if config.device != "cuda" else "cuda"

    def queue_counts(self) -> tuple[int, int]:
        if self.queue is None:
            return 0, 0
        return self._queue_call(lambda q: q.counts(time.time()), (0, 0))

    def run(self, request: RunRequest) -> ExecutedRun:
        """Train on the cluster; raises RunLost if the worker dies, RunStopped on Stop."""
        self._connect()
        on_gpu = self.device_kind(request.config) == "cuda"
        run_id = self._queue_call(lambda q: q.submit(request.owner, time.time()), None)
        stream = (
            _remote_task()
            .options(num_gpus=GPU_SHARE_PER_RUN if on_gpu else 0)
            .remote(config_to_dict(request.config), request.checkpoint_sha)
        )
        finished = False
        try:
            executed = self._follow(stream, request, on_gpu, run_id)
            finished = True
            return executed
        finally:
            if not finished:
                # Stop, a Streamlit rerun, a lost worker: never leave a run training for nobody.
                # force: the task's training thread would otherwise outlive a KeyboardInterrupt.
                with contextlib.suppress(RayError):
                    ray.cancel(stream, force=True)
            if run_id is not None:
                self._queue_call(lambda q: q.finish(run_id, time.time()), None)

    def _follow(
        self, stream: Any, request: RunRequest, on_gpu: bool, run_id: int | None
    ) -> ExecutedRun:
        started, told_at = False, 0.0
        while True:
            if request.should_stop():
                raise RunStopped("the learner stopped this run")
            ready, _ = ray.wait([stream], timeout=POLL_S)
            if not ready:
                # Once a second, not every poll: each call sends the browser a message (and a
                # query to the database), and it is also where Streamlit can interrupt this
                # script when the learner presses Stop.
                if time.monotonic() - told_at >= WAIT_NOTE_EVERY_S:
                    told_at = time.monotonic()
                    if not started:
                        request.on_wait(self._place(run_id))
                    elif run_id is not None:
                        self._queue_call(lambda q: q.heartbeat(run_id, time.time()), None)
                continue
            try:
                item = ray.get(next(stream))
            except StopIteration as err:  # the task ended without its result
                raise RunLost(LOST_MESSAGE) from err
            except RayError as err:
                if isinstance(err, LOST_ERRORS) or isinstance(err.__cause__, LOST_ERRORS):
                    raise RunLost(LOST_MESSAGE) from err
                raise
            if not started and run_id is not None:
                self._queue_call(lambda q: q.mark_started(run_id, time.time()), None)
            started = True
            if "started" in item:
                continue
            if "epoch" in item:
                request.on_epoch(epoch_from_dict(item["epoch"]))
                continue
            result = result_from_dict(item["result"])
            return ExecutedRun(result, where="a Ray worker (GPU)" if on_gpu else "a Ray worker")

    def _place(self, run_id: int | None) -> int:
        """The learner's place in the cluster's line; 0 when it cannot be counted."""
        if run_id is None:
            return 0
        return self._queue_call(lambda q: q.place(run_id, time.time()), 0)

    def _queue_call(self, call: Callable[[ClusterQueue], T], fallback: T) -> T:
        # The place in line is a courtesy: a database hiccup must not fail a training run.
        if self.queue is None:
            return fallback
        try:
            return call(self.queue)
        except StoreError:
            return fallback


_task: Any = None


def _remote_task() -> Any:
    """The Ray task, made once per process (each ray.remote call exports the function again)."""
    global _task
    if _task is None:
        _task = ray.remote(
            num_returns="streaming",
            num_cpus=CPUS_PER_RUN,
            max_retries=0,  # a lost run is reported plainly, not silently restarted elsewhere
        )(train_streaming)
    return _task
