"""The records a photo may belong to besides a hazard (an activity's sign-in sheet, …).

``POST /api/v1/photos`` names its owner by a form field (``hazard_id``, ``activity_id``) and the
photo row keeps it in the column of that name. The hazard domain serves the photo endpoints and
answers for hazards' photos itself; another owner's domain registers here, from its
``wiring.init_app``, the upload and the visibility of its photos, so that the photos package
(and the hazard domain) need not know it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PhotoOwner:
    #: the upload form's field naming the owner, and the photo column that keeps it
    field: str
    #: ``(user, data, content) -> CreateResult``: store a photo of the owner named in ``data``
    upload: Callable
    #: ``(user, photo) -> bool``: whether ``user`` may see the photo (else 404)
    visible: Callable


_OWNERS: dict[str, PhotoOwner] = {}


def register(owner: PhotoOwner) -> None:
    """Register ``owner`` (again: the last registration of a field wins, e.g. in tests)."""
    _OWNERS[owner.field] = owner


def for_upload(data: dict) -> PhotoOwner | None:
    """The registered owner an upload's form names, or ``None`` (then it is a hazard's)."""
    return next((o for f, o in _OWNERS.items() if data.get(f)), None)


def for_photo(photo) -> PhotoOwner | None:
    """The registered owner a stored photo belongs to, or ``None`` (a hazard's)."""
    return next((o for f, o in _OWNERS.items() if getattr(photo, f, None)), None)
