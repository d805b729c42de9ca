"""What a hazard's answer tells its reader before they act: the steps the transition table
allows but the hazard is not ready for, and why (``blocked_actions``), and what refuses nothing
but should be known (``warnings``). Messages are ``"中文 / English"``, put in the reader's language
when the answer is written (:class:`app.core.i18n.LocalizedText`).
"""
from __future__ import annotations

from datetime import date

from app.core.timeutil import SHANGHAI
from app.errors import Conflict
from app.hazards.choices import GOVERNANCE_PLAN_FIELDS, MAJOR

#: Why a step is not offered (``blocked_actions[action]["reason"]``).
PLAN_INCOMPLETE = "governance_plan_incomplete"
#: ``warnings[]["code"]``: the 治理方案 ends after the hazard's 整改期限.
PLAN_ENDS_AFTER_DEADLINE = "plan_ends_after_deadline"


def missing_plan_fields(hazard) -> list[str]:
    """治理方案 fields a major hazard still lacks (always empty for a general hazard)."""
    if hazard.level != MAJOR:
        return []
    plan = hazard.governance_plan or {}
    return [name for name in GOVERNANCE_PLAN_FIELDS
            if not str(plan.get(name) or "").strip()]


def _listed(missing: list[str]) -> tuple[str, str]:
    """The missing 治理方案 items by their labels: 「治理的目标和任务、应急预案」, "Goals and
    tasks, Emergency plan"."""
    return ("、".join(GOVERNANCE_PLAN_FIELDS.label(m, "zh") for m in missing),
            ", ".join(GOVERNANCE_PLAN_FIELDS.label(m, "en") for m in missing))


def plan_incomplete(missing: list[str]) -> Conflict:
    """The refusal of a submission while the 治理方案 misses ``missing``: the detail says what is
    wrong, the field message lists the missing items by their labels, each said once."""
    missing_zh, missing_en = _listed(missing)
    return Conflict("治理方案尚未填写完整，不能提交整改 / The governance plan is incomplete; the "
                    "rectification cannot be submitted yet.",
                    errors={"governance_plan": [f"缺少：{missing_zh} / Missing: {missing_en}."]})


def blocked_actions(hazard, role_actions: list[str]) -> dict[str, dict]:
    """The steps among ``role_actions`` (what the table lets the user do in this state) that
    would be refused now, each with ``reason``, ``message`` and the ``fields`` to fill in.

    A submission needs a complete 治理方案: the officer learns it before sending any photo.
    (Its other need, a rectification photo, comes with the step itself.)
    """
    blocked = {}
    if "submit" in role_actions:
        missing = missing_plan_fields(hazard)
        if missing:
            missing_zh, missing_en = _listed(missing)
            blocked["submit"] = {
                "reason": PLAN_INCOMPLETE, "fields": missing,
                "message": f"请先补全治理方案：{missing_zh} / Complete the governance plan first: "
                           f"{missing_en}."}
    return blocked


def plan_end(hazard) -> date | None:
    """The day the 治理方案 says the work ends (治理的时限), if it says one."""
    text = (hazard.governance_plan or {}).get("deadline")
    try:
        return date.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


def warnings(hazard) -> list[dict]:
    """``[{field, code, message}]``: what the reader should know that refuses nothing.

    A 治理方案 may end after the hazard's 整改期限: DOMAIN.md keeps the deadline and lets it be
    extended (延期) before it passes, so the plan is saved, with a warning that the hazard will
    be overdue unless the work finishes earlier or the deadline is extended.
    """
    ends = plan_end(hazard) if hazard.level == MAJOR else None
    deadline_day = hazard.deadline.astimezone(SHANGHAI).date() if hazard.deadline else None
    if ends is None or deadline_day is None or ends <= deadline_day:
        return []
    return [{"field": "governance_plan.deadline", "code": PLAN_ENDS_AFTER_DEADLINE,
             "message": f"治理方案的时限（{ends:%Y-%m-%d}）晚于整改期限"
                        f"（{deadline_day:%Y-%m-%d}），届时隐患将逾期：请提前完成，"
                        f"或请监管人员延长整改期限 / The governance "
                        f"plan ends on {ends:%Y-%m-%d}, after the hazard's deadline "
                        f"({deadline_day:%Y-%m-%d}): the hazard will be overdue unless the work "
                        f"ends earlier or a supervisor extends the deadline."}]
