"""The six service value chain activities, the one list every module uses."""

from __future__ import annotations

ACTIVITIES: tuple[str, ...] = (
    "plan",
    "improve",
    "engage",
    "design and transition",
    "obtain/build",
    "deliver and support",
)
"""The six activities in the order the ITIL 4 syllabus lists them."""

_ALIASES = {
    "design & transition": "design and transition",
    "design/transition": "design and transition",
    "obtain / build": "obtain/build",
    "obtain and build": "obtain/build",
    "obtain-build": "obtain/build",
    "deliver & support": "deliver and support",
    "deliver/support": "deliver and support",
}


def normalise_activity(name: str) -> str:
    """Return the canonical spelling of an activity name.

    Case, surrounding spaces and a few common spellings are forgiven; anything
    else raises ``ValueError`` naming the value and the six accepted names.

    >>> normalise_activity("  Obtain / Build ")
    'obtain/build'
    """
    if not isinstance(name, str):
        raise ValueError(f"an activity name must be a string, got {type(name).__name__}: {name!r}")
    key = " ".join(name.strip().lower().split())
    key = _ALIASES.get(key, key)
    if key not in ACTIVITIES:
        raise ValueError(f"{name!r} is not one of the six activities: {', '.join(ACTIVITIES)}")
    return key
