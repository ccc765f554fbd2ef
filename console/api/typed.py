"""Typed calls for what the console's panels use, on top of the generic ``call``.

``Client`` inherits this mixin, so ``await client.door_states()`` returns validated models.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from .models import DoorState, GateState, parse_list

__all__ = ["TypedCalls"]


class TypedCalls:
    async def call(
        self, section: str, /, body: Any = None, files: Mapping[str, Any] | None = None, **params: Any
    ) -> Any:
        raise NotImplementedError

    # -- doors and gates (2.12, 2.32) -------------------------------------------------------------

    async def door_states(self) -> list[DoorState]:
        """Every door's state (2.12.1); the manual advises polling no faster than every 10 s."""
        return parse_list(DoorState, await self.call("2.12.1", timestamp=int(time.time() * 1000)))

    async def gate_states(self) -> list[GateState]:
        """Every gate's state (2.32.1)."""
        return parse_list(GateState, await self.call("2.32.1"))
