"""Choice sets (选项): the values a field may take, each with its Chinese and English label, an
optional display colour and its place in the display order.

Every domain keeps its sets in its ``choices.py`` as module constants (``HAZARD_STATES``,
``RISK_LEVELS``, …) built from :class:`Choice` rows. Everything a person reads goes through
them: :meth:`ChoiceSet.label` in the reader's language, :meth:`ChoiceSet.as_list` for the
``/choices`` endpoints, :meth:`ChoiceSet.parse` for input typed by a person (a value, or its
Chinese or English label), :meth:`ChoiceSet.unknown_message` for a refusal that names the
accepted values with their labels.

Sets whose members a deployment chooses (hazard categories, industries) keep a catalogue of
known labels here and are cut to the configured list with :meth:`ChoiceSet.from_config`; a
configured value the catalogue does not know is shown by its value.

This module knows no domain: domains import it, never the other way round.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from marshmallow import ValidationError, fields

from app.core.i18n import best_language


def label_key(text: str) -> str:
    """How typed text is compared with values and labels: NFKC (full-width ｆｉｒｅ → fire),
    case and every whitespace ignored, so 「消防 安全」, ``FIRE`` and ``Fire safety`` match."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def _english(lang: str | None) -> bool:
    return (lang or best_language()).lower().startswith("en")


@dataclass(frozen=True)
class Choice:
    """One value with its labels. ``order`` places it in the display order (default: where it
    stands in its set)."""

    value: str
    zh: str
    en: str
    color: str | None = None
    order: int | None = None

    def label(self, lang: str | None = None) -> str:
        """The label in ``lang`` ('zh', 'zh-CN' or 'en'; default: the reader's language)."""
        return self.en if _english(lang) else self.zh

    def labels(self) -> dict:
        """``{zh, en, color?}`` (no ``color`` key when it has none)."""
        out = {"zh": self.zh, "en": self.en}
        if self.color is not None:
            out["color"] = self.color
        return out

    def as_dict(self) -> dict:
        """``{value, zh, en, color?}``."""
        return {"value": self.value, **self.labels()}


class ChoiceSet:
    """An ordered set of :class:`Choice`, named (``name_zh``/``name_en``: what a value of it is,
    for messages such as 「未知的隐患类别」).

    Iterating yields the values in display order, so ``tuple(HAZARD_STATES)``,
    ``validate.OneOf(list(HAZARD_LEVELS))`` and ``state in OPEN_STATES``-style tests read as
    they would on a tuple of values.
    """

    def __init__(self, name_zh: str, name_en: str, choices: Iterable[Choice]):
        self.name_zh = name_zh
        self.name_en = name_en
        rows = list(choices)
        ranked = sorted(enumerate(rows), key=lambda pair: (
            pair[1].order if pair[1].order is not None else pair[0], pair[0]))
        self._choices: dict[str, Choice] = {}
        for _, choice in ranked:
            assert choice.value not in self._choices, f"{name_en}: duplicate {choice.value!r}"
            self._choices[choice.value] = choice
        self._lookup: dict[str, str] | None = None
        self._configured: dict[tuple, ChoiceSet] = {}
        #: Where a configured set finds the label of a value that is not (or no longer)
        #: configured: old records keep their readable label.
        self._catalogue: ChoiceSet | None = None

    # ------------------------------------------------------------------ like a tuple of values
    def __iter__(self) -> Iterator[str]:
        return iter(self._choices)

    def __len__(self) -> int:
        return len(self._choices)

    def __contains__(self, value: object) -> bool:
        return value in self._choices

    def __getitem__(self, value: str) -> Choice:
        return self._choices[value]

    def __repr__(self) -> str:
        return f"<ChoiceSet {self.name_en}: {', '.join(self._choices)}>"

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(self._choices)

    @property
    def choices(self) -> tuple[Choice, ...]:
        return tuple(self._choices.values())

    def get(self, value: str | None) -> Choice | None:
        return self._choices.get(value) if value is not None else None

    def _labelled(self, value: str) -> Choice | None:
        choice = self._choices.get(value)
        if choice is None and self._catalogue is not None:
            choice = self._catalogue.get(value)
        return choice

    # ------------------------------------------------------------------ reading
    def label(self, value: str | None, lang: str | None = None) -> str:
        """The label of ``value`` in ``lang`` (default: the reader's language); a value the set
        does not know is shown as it is, ``None`` as an empty string."""
        if value is None:
            return ""
        choice = self._labelled(value)
        return choice.label(lang) if choice is not None else str(value)

    def labels(self, value: str) -> dict:
        """``{zh, en, color?}`` of ``value``; an unknown value labels itself."""
        choice = self._labelled(value)
        return choice.labels() if choice is not None else {"zh": value, "en": value}

    def color(self, value: str | None) -> str | None:
        choice = self._labelled(value) if value is not None else None
        return choice.color if choice is not None else None

    def as_list(self) -> list[dict]:
        """``[{value, zh, en, color?}]`` in display order (what a form or a legend shows)."""
        return [choice.as_dict() for choice in self._choices.values()]

    def as_dict(self) -> dict[str, dict]:
        """``{value: {zh, en, color?}}`` (a JSON object: its order is not kept)."""
        return {value: choice.labels() for value, choice in self._choices.items()}

    # ------------------------------------------------------------------ input
    def parse(self, text: str | None) -> str | None:
        """The value ``text`` names: the value itself, or its Chinese or English label, compared
        by :func:`label_key`; ``None`` when it names none. A value wins over a label that
        happens to spell another member's value."""
        if text is None:
            return None
        if self._lookup is None:
            lookup: dict[str, str] = {}
            for attribute in ("value", "zh", "en"):
                for choice in self._choices.values():
                    lookup.setdefault(label_key(getattr(choice, attribute)), choice.value)
            self._lookup = lookup
        return self._lookup.get(label_key(str(text)))

    def listing(self, lang: str) -> str:
        """The accepted values with their labels: 「fire（消防安全）、gas（燃气安全）」 or
        ``fire (Fire safety), gas (Gas)``; a value labelled by itself is written once."""
        english = _english(lang)
        parts = []
        for choice in self._choices.values():
            label = choice.label(lang)
            if label == choice.value:
                parts.append(choice.value)
            else:
                parts.append(f"{choice.value} ({label})" if english
                             else f"{choice.value}（{label}）")
        return (", " if english else "、").join(parts)

    def unknown_message(self, text: str) -> str:
        """A bilingual refusal (``"中文 / English"``, see :func:`app.core.i18n.localize`) of
        ``text``, naming every accepted value with its labels."""
        return (f"未知的{self.name_zh}“{text}”，可选：{self.listing('zh')} / "
                f"Unknown {self.name_en} '{text}'; use one of: {self.listing('en')}.")

    # ------------------------------------------------------------------ configured sets
    def restricted_to(self, values: Sequence[str]) -> ChoiceSet:
        """The members named by ``values``, in that order; a value this set does not know is a
        member labelled by itself."""
        return self.from_config(values)

    def from_config(self, values: Sequence[str],
                    labels: Mapping[str, Sequence[str]] | None = None) -> ChoiceSet:
        """The set a deployment configured: ``values`` in their order, labelled from ``labels``
        (``{value: (zh, en)}`` from config; either may be empty) or else from this catalogue,
        or else by the value.
        A value outside the configuration is not a member, but its label is still read from
        this catalogue. Kept per configuration, so asking again costs a dictionary lookup."""
        key = (tuple(values), tuple(sorted((k, tuple(v)) for k, v in (labels or {}).items())))
        configured = self._configured.get(key)
        if configured is None:
            rows = []
            for position, value in enumerate(dict.fromkeys(values)):
                known = self._choices.get(value)
                zh, en = (tuple((labels or {}).get(value) or ()) + ("", ""))[:2]
                rows.append(Choice(value, zh or (known.zh if known else value),
                                   en or (known.en if known else value),
                                   known.color if known else None, position))
            configured = self._configured[key] = ChoiceSet(self.name_zh, self.name_en, rows)
            configured._catalogue = self
        return configured


    def configured(self, values_key: str, labels_key: str) -> ChoiceSet:
        """:meth:`from_config` with the running application's config ``values_key`` (the
        values, in order) and ``labels_key`` (their labels, optional)."""
        config = current_app.config
        return self.from_config(config[values_key], config.get(labels_key))


class ChoiceField(fields.String):
    """Input naming a member of a choice set by its value or its Chinese or English label; loads
    the value.

    ``choices`` is the set, or a function returning it (sets cut to the configuration are only
    known inside a request). A text that names no member is refused with the accepted values
    and their labels; with ``strict=False`` (list filters) it passes through trimmed, so a value
    dropped from the configuration still finds its old records.
    """

    def __init__(self, choices: ChoiceSet | Callable[[], ChoiceSet], *, strict: bool = True,
                 **kwargs):
        self.choice_set = choices
        self.strict = strict
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault("description", "a value, or its Chinese or English label (stored "
                                           "as the value; see GET /api/v1/choices)")
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        choice_set = self.choice_set() if callable(self.choice_set) else self.choice_set
        parsed = choice_set.parse(text)
        if parsed is not None:
            return parsed
        if self.strict:
            raise ValidationError(choice_set.unknown_message(text.strip()))
        return text.strip()
