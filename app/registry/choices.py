"""Choice sets of the registry, each with its Chinese and English label and display colour."""
from __future__ import annotations

from app.core.choices import Choice, ChoiceSet

# 风险分级管控: four colours (DOMAIN.md).
RISK_LEVELS = ChoiceSet("风险等级", "risk level", [
    Choice("red", "重大风险", "Major risk", "#d32f2f"),
    Choice("orange", "较大风险", "Significant risk", "#f57c00"),
    Choice("yellow", "一般风险", "General risk", "#fbc02d"),
    Choice("blue", "低风险", "Low risk", "#1976d2"),
])

#: Labels of the industries (行业) a deployment may configure (config ``INDUSTRIES``); the set
#: in use is :func:`configured_industries`.
INDUSTRIES = ChoiceSet("行业", "industry", [
    Choice("manufacturing", "工贸制造", "Manufacturing"),
    Choice("hazardous_chemicals", "危险化学品", "Hazardous chemicals"),
    Choice("construction", "建筑施工", "Construction"),
    Choice("retail", "商贸零售", "Retail"),
    Choice("catering", "餐饮", "Catering"),
    Choice("warehousing", "仓储物流", "Warehousing & logistics"),
    Choice("hotel", "住宿", "Hotels"),
    Choice("education", "教育培训", "Education"),
    Choice("healthcare", "医疗卫生", "Healthcare"),
    Choice("other", "其他", "Other"),
])


def configured_industries() -> ChoiceSet:
    """The industries of this deployment: config ``INDUSTRIES`` in its order, labelled by
    ``INDUSTRY_LABELS`` from config, else by :data:`INDUSTRIES`, else by the code."""
    return INDUSTRIES.configured("INDUSTRIES", "INDUSTRY_LABELS")
