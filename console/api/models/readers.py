"""Readers of access-control doors (2.15) and of entrance-control gates (2.34)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, Field

from .base import CodedEnum, Model, OptInt, Str

__all__ = ["GateReader", "Reader", "ReaderState"]


class ReaderState(CodedEnum):
    """Which side a reader is on: 0 in, 1 out (2.15.x, 2.34.x; also in v3 transactions)."""

    IN = ("0", "in", "entry")
    OUT = ("1", "out", "exit")
    UNKNOWN = ("?", "side unknown")


class Reader(Model):
    """An access-control reader (2.15.x)."""

    id: Str = ""
    door_id: Str = Field("", alias="doorId")
    name: Str = ""
    reader_no: OptInt = Field(None, alias="readerNo")
    reader_state: Annotated[ReaderState, ReaderState.validator()] = Field(
        ReaderState.UNKNOWN, validation_alias=AliasChoices("readerState", "readState", "reader_state")
    )


class GateReader(Model):
    """An entrance-control gate reader (2.34.x)."""

    id: Str = ""
    gate_id: Str = Field("", alias="gateId")
    name: Str = ""
    reader_no: OptInt = Field(None, alias="readerNo")
    reader_state: Annotated[ReaderState, ReaderState.validator()] = Field(
        ReaderState.UNKNOWN, validation_alias=AliasChoices("readerState", "readState", "reader_state")
    )
