"""Inspection kinds (检查类型)."""
from __future__ import annotations

from app.core.choices import Choice, ChoiceSet

INSPECTION_KINDS = ChoiceSet("检查类型", "inspection kind", [
    Choice("routine", "日常检查", "Routine"),
    Choice("special", "专项检查", "Special campaign"),
    Choice("unannounced", "四不两直", "Unannounced (四不两直)"),
    Choice("follow_up", "回头看", "Follow-up (回头看)"),
    Choice("holiday", "节假日检查", "Holiday / key period"),
])
