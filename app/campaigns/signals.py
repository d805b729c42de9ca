"""Signals the campaigns domain sends.

A submission (报送) freezes a community's summary: the hazard figures and the PDF are the
reports domain's, which answers :data:`summary_wanted` (``app.reports.wiring``). Sent inside the
request, before anything is written: the receiver computes and renders, and returns what is
frozen; the submission is then inserted whole, once.
"""
from blinker import Namespace

_signals = Namespace()

#: sent with ``campaign``, ``community``, ``submission_id``, ``submitted_at``, ``late``,
#: ``activities`` (the frozen list), ``activity_figures`` and ``seal`` (``seal(figures) ->
#: sha256``: the digest of everything frozen, to print on the PDF). The one receiver answers
#: :class:`app.campaigns.submissions.FrozenSummary`.
summary_wanted = _signals.signal("campaign-summary-wanted")
