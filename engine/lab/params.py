"""Parameter table: per block, tensors and scalars, trainable or frozen, totals both ways."""

from __future__ import annotations

from dataclasses import dataclass

from engine.lab.freeze import ALL_BLOCKS, HEAD, block_module
from engine.lab.model import SmallResNet


@dataclass(frozen=True)
class BlockCounts:
    block: str  # as the code names it: conv1, ..., layer4, fc (or classifier)
    tensors: int
    scalars: int
    trainable_tensors: int
    trainable_scalars: int

    @property
    def status(self) -> str:
        if self.trainable_tensors == self.tensors:
            return "trainable"
        return "frozen" if self.trainable_tensors == 0 else "partly trainable"


@dataclass(frozen=True)
class ParameterTable:
    rows: tuple[BlockCounts, ...]

    @property
    def total_tensors(self) -> int:
        return sum(r.tensors for r in self.rows)

    @property
    def trainable_tensors(self) -> int:
        """What ``sum(p.requires_grad for p in model.parameters())`` prints: a count of tensors."""
        return sum(r.trainable_tensors for r in self.rows)

    @property
    def total_scalars(self) -> int:
        return sum(r.scalars for r in self.rows)

    @property
    def trainable_scalars(self) -> int:
        """``sum(p.numel() for p in model.parameters() if p.requires_grad)``: numbers learned."""
        return sum(r.trainable_scalars for r in self.rows)

    def as_records(self) -> list[dict[str, object]]:
        records: list[dict[str, object]] = [
            {
                "block": r.block,
                "status": r.status,
                "tensors": r.tensors,
                "trainable tensors": r.trainable_tensors,
                "scalars": r.scalars,
                "trainable scalars": r.trainable_scalars,
            }
            for r in self.rows
        ]
        records.append(
            {
                "block": "total",
                "status": "",
                "tensors": self.total_tensors,
                "trainable tensors": self.trainable_tensors,
                "scalars": self.total_scalars,
                "trainable scalars": self.trainable_scalars,
            }
        )
        return records


def parameter_table(model: SmallResNet) -> ParameterTable:
    rows = []
    for block in ALL_BLOCKS:
        params = list(block_module(model, block).parameters())
        trainable = [p for p in params if p.requires_grad]
        rows.append(
            BlockCounts(
                block=model.head_name if block == HEAD else block,
                tensors=len(params),
                scalars=sum(p.numel() for p in params),
                trainable_tensors=len(trainable),
                trainable_scalars=sum(p.numel() for p in trainable),
            )
        )
    return ParameterTable(tuple(rows))
