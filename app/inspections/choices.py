"""Inspection kinds (检查类型)."""
INSPECTION_KINDS = {
    "routine": {"zh": "日常检查", "en": "Routine"},
    "special": {"zh": "专项检查", "en": "Special campaign"},
    "unannounced": {"zh": "四不两直", "en": "Unannounced (四不两直)"},
    "follow_up": {"zh": "回头看", "en": "Follow-up (回头看)"},
    "holiday": {"zh": "节假日检查", "en": "Holiday / key period"},
}
