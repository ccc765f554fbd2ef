"""Severity classification: one table of rules, which a site can extend from its settings file.

The order of evaluation, first match wins:

1. the site's rules (settings ``[events] rules = [{match = "...", level = "alarm"}]``), so a site can raise
   or lower anything, the server's own ``eventLevel`` included;
2. the server's ``eventLevel`` (0 normal, 1 warning, 2 alarm) where the record carries one;
3. :data:`DEFAULT_RULES` on the event name (and, for temperature events, on ``status`` and ``maskFlag``);
4. normal.

A rule's ``match`` is a case-insensitive substring; written between slashes (``"/forced|tamper/"``) or given
as ``regex`` it is a regular expression (``re.search``, case-insensitive). ``field`` chooses what the rule
looks at: ``name`` (the default), ``status`` (temperature status), ``mask`` (mask flag: 0 no mask, 1 mask),
``point``, ``device``, ``area``, ``verify`` (verification mode).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from .model import Level, clean_text

__all__ = ["DEFAULT_RULES", "FIELDS", "Classifier", "Rule"]

Field = Literal["name", "status", "mask", "point", "device", "area", "verify"]
FIELDS: Mapping[str, tuple[str, ...]] = {
    "name": ("eventName",),
    "status": ("status",),
    "mask": ("maskFlag",),
    "point": ("eventPointName", "doorName"),
    "device": ("devName", "devSn"),
    "area": ("areaName",),
    "verify": ("verifyModeName",),
}


@dataclass(frozen=True, slots=True)
class Rule:
    """``pattern`` (a compiled, case-insensitive regular expression) on ``field`` gives ``level``."""

    pattern: re.Pattern[str]
    level: Level
    field: Field = "name"
    why: str = ""

    @classmethod
    def regex(cls, pattern: str, level: Level, field: Field = "name", why: str = "") -> Rule:
        return cls(re.compile(pattern, re.IGNORECASE), level, field, why)

    @classmethod
    def substring(cls, text: str, level: Level, field: Field = "name", why: str = "") -> Rule:
        return cls(re.compile(re.escape(text), re.IGNORECASE), level, field, why)

    @classmethod
    def from_setting(cls, entry: Mapping[str, Any], index: int = 0) -> Rule:
        """One rule of the settings file; ``ValueError`` saying which rule and what is wrong."""
        where = f"event rule {index + 1}"
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: expected a table like {{match = \"forced\", level = \"alarm\"}}")
        try:
            level = Level.parse(entry.get("level"))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        field = cast(Field, str(entry.get("field", "name")).strip().lower())
        if field not in FIELDS:
            raise ValueError(f"{where}: field must be one of {', '.join(FIELDS)}")
        regex, match = entry.get("regex"), entry.get("match")
        if regex is None and match is None:
            raise ValueError(f"{where}: needs 'match' (text or /regex/) or 'regex'")
        try:
            if regex is not None:
                return cls.regex(str(regex), level, field, where)
            text = str(match)
            if len(text) >= 2 and text.startswith("/") and text.endswith("/"):
                return cls.regex(text[1:-1], level, field, where)
            if not text.strip():
                raise ValueError(f"{where}: 'match' is empty")
            return cls.substring(text.strip(), level, field, where)
        except re.error as exc:
            raise ValueError(f"{where}: not a valid regular expression ({exc})") from None

    def applies(self, record: Mapping[str, Any], _texts: dict[str, list[str]] | None = None) -> bool:
        texts = _field_texts(record, self.field, {} if _texts is None else _texts)
        return any(self.pattern.search(text) for text in texts)


def _field_texts(record: Mapping[str, Any], field: str, cache: dict[str, list[str]]) -> list[str]:
    texts = cache.get(field)
    if texts is None:
        values = (record.get(key) for key in FIELDS[field])
        texts = cache[field] = [clean_text(value) for value in values if value is not None and value != ""]
    return texts


_R = Rule.regex
ALARM, WARNING, NORMAL = Level.ALARM, Level.WARNING, Level.NORMAL

DEFAULT_RULES: tuple[Rule, ...] = (
    _R(r"cancel(l?ed)?\s+(the\s+)?alarm|alarm\s+(cancel|clear|reset|restored?)", NORMAL, why="cancelling an alarm"),
    # Real servers name events in the site's language (their monitor records carry no eventLevel): Spanish,
    # Portuguese and Simplified Chinese names of the alarms first, so that a forced door or a duress opening on
    # a non-English server is an alarm at once (the stored list's eventLevel is read behind it as well).
    _R(r"cancelar\s+(la\s+|o\s+)?alarm|alarma\s+cancelada|alarme\s+cancelado|取消报警|解除报警", NORMAL,
       why="cancelling an alarm (es, pt, zh)"),
    _R(r"coacci[oó]n|coa[cç][aã]o|胁迫", ALARM, why="duress opening (es, pt, zh)"),
    _R(r"forzad|a\s+la\s+fuerza|for[cç]ad|[aà]\s+for[cç]a|arromb|意外打开|强行|强制开门|非法开门", ALARM,
       why="door forced open (es, pt, zh)"),
    _R(r"sabotaje|manipulaci[oó]n|viola[cç][aã]o|sabotagem|adultera[cç][aã]o|防拆|拆机|拆除报警", ALARM,
       why="device tampering (es, pt, zh)"),
    _R(r"tiempo\s+de\s+(puerta\s+abierta|apertura)\s+excedido|puerta\s+abierta\s+demasiado|"
       r"tempo\s+de\s+(porta\s+aberta|abertura)\s+excedido|porta\s+aberta\s+(por\s+)?muito|开门超时|门开超时|超时未关",
       ALARM, why="door left open (es, pt, zh)"),
    _R(r"lista\s+negra|黑名单", ALARM, why="blacklisted person (es, pt, zh)"),
    _R(r"temperatura\s+(anormal|alta|elevada)|fiebre|febre|体温异常|体温过高|发烧|发热", ALARM,
       why="fever (es, pt, zh)"),
    _R(r"\balarma\b|\balarme\b|报警|告警", ALARM, why="an alarm of any kind (es, pt, zh)"),
    _R(r"no\s+registrad|n[aã]o\s+(registrad|cadastrad)|未登记|未注册|陌生人", WARNING,
       why="unknown credential (es, pt, zh)"),
    _R(r"denegad|negad|禁止通行|拒绝|非法时段|无效|desconectad|断开", WARNING,
       why="access refused or device trouble (es, pt, zh)"),
    _R(r"duress", ALARM, why="duress opening (a threatened user)"),
    _R(r"opened\s+accidentally|forced|break[-\s]?in|intrusion", ALARM, why="door forced open"),
    _R(r"tamper", ALARM, why="device tampering"),
    _R(r"black\s*list", ALARM, why="blacklisted person"),
    _R(r"fever|abnormal\s+(body\s+)?temperature|(high|abnormal)\s+temp|temperature\s+(too\s+high|abnormal|alarm)",
       ALARM, why="fever"),
    _R(r"^\s*abnormal\s*$", ALARM, field="status", why="temperature status abnormal"),
    _R(r"(open(ing)?|door)\s*time\s*-?out|left\s+open|open(ed)?\s+too\s+long|failed\s+to\s+close", ALARM,
       why="door left open (the server files event 28 as an alarm too)"),
    _R(r"\bfire\b", ALARM, why="fire input"),
    _R(r"\balarm\b", ALARM, why="an alarm of any kind"),
    _R(r"unregistered|not\s+registered|unknown\s+(card|person|user)|stranger", WARNING, why="unknown credential"),
    _R(r"illegal", WARNING, why="illegal time zone or operation"),
    _R(r"no\s+mask|without\s+(a\s+)?mask|not\s+wearing|unmask", WARNING, why="no mask"),
    _R(r"^\s*0\s*$", WARNING, field="mask", why="mask flag 0: no mask"),
    _R(r"denied|anti-?pass\s*back|interlock|expired|invalid|error|fail|disconnect|not\s+connected|offline|"
       r"low\s+battery|too\s+short|not\s+allowed|inactive|time\s*-?out", WARNING,
       why="access refused or device trouble"),
)


_MEMO_SIZE = 4096
"""Most distinct records whose level a :class:`Classifier` remembers (then it starts again)."""


def _event_level(record: Mapping[str, Any]) -> Level | None:
    value = record.get("eventLevel")
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    if number < 0:
        return None
    return Level(min(number, int(Level.ALARM)))


class Classifier:
    """``classify(record) -> Level`` with the site's rules first, then ``eventLevel``, then the defaults."""

    def __init__(self, site_rules: Iterable[Rule] = (), defaults: Sequence[Rule] = DEFAULT_RULES) -> None:
        self.site_rules: tuple[Rule, ...] = tuple(site_rules)
        self.defaults: tuple[Rule, ...] = tuple(defaults)
        # The level depends only on the record's keys the rules read (and eventLevel): records of a site repeat
        # a few dozen event names, so the level of a record whose keys are text or absent is remembered.
        fields = {rule.field for rule in (*self.site_rules, *self.defaults)}
        self._keys: tuple[str, ...] = (*sorted({k for f in fields for k in FIELDS[f]}), "eventLevel")
        self._memo: dict[tuple[Any, ...], Level] = {}

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> Classifier:
        """From the settings mapping ``{"rules": [{"match": ..., "level": ...}, ...]}`` (``None``: defaults)."""
        if not settings:
            return cls()
        entries = settings.get("rules", [])
        if not isinstance(entries, (list, tuple)):
            raise ValueError("event rules: 'rules' must be a list of tables")
        return cls(Rule.from_setting(entry, i) for i, entry in enumerate(entries))

    def classify(self, record: Mapping[str, Any]) -> Level:
        get = record.get
        memo_key = tuple([get(k) for k in self._keys])
        for value in memo_key:
            if value is not None and type(value) is not str:  # 1 == 1.0 == True: only text is remembered
                return self._classify(record)
        level = self._memo.get(memo_key)
        if level is None:
            level = self._classify(record)
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[memo_key] = level
        return level

    def _classify(self, record: Mapping[str, Any]) -> Level:
        texts: dict[str, list[str]] = {}  # each field cleaned once, whatever the number of rules
        for rule in self.site_rules:
            if rule.applies(record, texts):
                return rule.level
        level = _event_level(record)
        if level is not None:
            return level
        for rule in self.defaults:
            if rule.applies(record, texts):
                return rule.level
        return Level.NORMAL
