"""Choice sets of the registry, each with its Chinese and English label and display colour."""
from __future__ import annotations

RISK_LEVELS = {
    # 风险分级管控: four colours (DOMAIN.md).
    "red": {"zh": "重大风险", "en": "Major risk", "color": "#d32f2f"},
    "orange": {"zh": "较大风险", "en": "Significant risk", "color": "#f57c00"},
    "yellow": {"zh": "一般风险", "en": "General risk", "color": "#fbc02d"},
    "blue": {"zh": "低风险", "en": "Low risk", "color": "#1976d2"},
}

INDUSTRY_LABELS = {
    "manufacturing": {"zh": "工贸制造", "en": "Manufacturing"},
    "hazardous_chemicals": {"zh": "危险化学品", "en": "Hazardous chemicals"},
    "construction": {"zh": "建筑施工", "en": "Construction"},
    "retail": {"zh": "商贸零售", "en": "Retail"},
    "catering": {"zh": "餐饮", "en": "Catering"},
    "warehousing": {"zh": "仓储物流", "en": "Warehousing & logistics"},
    "hotel": {"zh": "住宿", "en": "Hotels"},
    "education": {"zh": "教育培训", "en": "Education"},
    "healthcare": {"zh": "医疗卫生", "en": "Healthcare"},
    "other": {"zh": "其他", "en": "Other"},
}
