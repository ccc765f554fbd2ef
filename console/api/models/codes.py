"""Code sets of the manual outside the console's panels (media, templates, attendance, consumption, video).

They are here so that every code set the manual documents has a typed enum with an explicit UNKNOWN; see
``registry.CODE_SETS`` for which enum reads which field of which section.
"""

from __future__ import annotations

from .base import CodedEnum

__all__ = [
    "AccountAvailable",
    "AccountMember",
    "CardStatus",
    "InsCategory",
    "LogFlag",
    "MediaType",
    "PerDevAuth",
    "PosModel",
    "PosType",
    "RecordingType",
    "RtspType",
    "ValidType",
]


class MediaType(CodedEnum):
    """2.7.3 ``mediaType``."""

    PICTURE = ("1", "picture")
    VIDEO = ("2", "video")
    UNKNOWN = ("?", "media type unknown")


class ValidType(CodedEnum):
    """2.26 biometric template ``validType``."""

    COMMON = ("1", "common")
    DURESS = ("3", "duress")
    UNKNOWN = ("?", "template type unknown")


class PerDevAuth(CodedEnum):
    """2.25.1 and 2.28.1 ``perDevAuth``: the person's role on the device."""

    ORDINARY = ("0", "ordinary person")
    REGISTRAR = ("2", "registrar")
    ADMINISTRATOR = ("6", "administrator")
    SUPER_ADMINISTRATOR = ("14", "super administrator")
    UNKNOWN = ("?", "device role unknown")


class InsCategory(CodedEnum):
    """2.28.1 ``category``; "Blacklist" is printed without a code and taken as 2 (ERRATA)."""

    ORDINARY = ("0", "ordinary staff")
    VIP = ("1", "VIP")
    BLACKLIST = ("2", "blacklist")
    UNKNOWN = ("?", "category unknown")


class CardStatus(CodedEnum):
    """2.37.1 ``cardStatus``: a code, or its text (the example sends ``valid``)."""

    VALID = ("1", "valid", "valid")
    LOST = ("3", "reported lost", "lost", "reported lost")
    EXPIRED = ("4", "expired", "expired")
    DISABLED = ("5", "disabled", "disabled")
    UNKNOWN = ("?", "card status unknown")


class PosType(CodedEnum):
    """2.37.1/2.39.1 ``typeName`` codes of consumption records."""

    CONSUMPTION = ("6", "consumption")
    TOP_UP = ("8", "top-up")
    CORRECTION = ("9", "error correction")
    COUNT = ("10", "count")
    BOOKKEEPING = ("11", "bookkeeping")
    OFFLINE_CONSUMPTION = ("12", "offline consumption")
    CANCEL_ORDER = ("13", "cancelled order")
    UNKNOWN = ("?", "record type unknown")


class PosModel(CodedEnum):
    """2.37.1/2.39.1 ``posModel`` (printed ``posMode`` in 2.37.1's example)."""

    FIXED_VALUE = ("1", "fixed value mode")
    AMOUNT = ("2", "amount mode")
    KEY_VALUE = ("3", "key value mode")
    COUNT = ("4", "count mode")
    COMMODITY = ("5", "commodity mode")
    TIMING = ("6", "timing mode")
    BOOKKEEPING = ("7", "bookkeeping mode")
    MANUAL = ("8", "manual consumption")
    DEVICE_CORRECTION = ("9", "device correction")
    SYSTEM_CORRECTION = ("10", "system correction")
    ORDERING = ("11", "ordering mode")
    INTELLIGENT = ("12", "intelligent mode")
    UNKNOWN = ("?", "mode unknown")


class AccountAvailable(CodedEnum):
    """2.38.1 ``available``: note 0 is enabled here."""

    ENABLED = ("0", "enabled")
    DISABLED = ("1", "disabled")
    UNKNOWN = ("?", "account state unknown")


class AccountMember(CodedEnum):
    """2.38.1 ``accountMember``."""

    NON_MEMBER = ("0", "non-member")
    MEMBER = ("1", "member")
    UNKNOWN = ("?", "membership unknown")


class LogFlag(CodedEnum):
    """2.39.1 ``logFlag``: where a consumption record came from."""

    DEVICE = ("1", "device upload")
    SYSTEM = ("2", "added by the system")
    CORRECTION = ("3", "error correction and supplement")
    WECHAT = ("4", "WeChat")
    ALIPAY = ("5", "Alipay")
    OFFLINE = ("6", "offline consumption")
    UNKNOWN = ("?", "source unknown")


class RtspType(CodedEnum):
    """2.40.3 ``rtspType``; the second stream of the example is the sub stream (ERRATA)."""

    ALL = ("0", "all streams")
    MAIN = ("1", "main stream")
    SUB = ("2", "sub stream")
    UNKNOWN = ("?", "stream unknown")


class RecordingType(CodedEnum):
    """2.40.4 recording ``type``."""

    PLAN = ("plan", "planned recording")
    ALARM = ("alarm", "alarm recording")
    UNKNOWN = ("?", "recording type unknown")
