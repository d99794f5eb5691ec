"""What a provider handler gets: the request, the data, the state and the sandbox's today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .dataset import Dataset, Live
from .http import Request
from .state import SandboxState


@dataclass
class Ctx:
    req: Request
    ds: Dataset
    state: SandboxState
    today: date

    @property
    def live(self) -> Live:
        return self.ds.live(self.today)
