"""The registry's HMA names: each plugin's ``hma_name``, looked up both ways."""

from __future__ import annotations

import pytest

from accord.signals.registry import from_hma_name, signal_type_classes, to_hma_name


@pytest.mark.parametrize(
    ("accord", "hma"),
    [("md5", "video_md5"), ("pdq", "pdq"), ("vpdq", "vpdq"), ("sha256", "sha256")],
)
def test_names_map_both_ways(accord: str, hma: str) -> None:
    assert to_hma_name(accord) == hma
    assert from_hma_name(hma) == accord


def test_unknown_names_pass_through_for_the_caller_to_refuse() -> None:
    assert to_hma_name("no_such") == "no_such"
    assert from_hma_name("no_such") == "no_such"


def test_hma_names_are_unambiguous() -> None:
    """No HMA name may be another accord type's name, or the reverse lookup would guess."""
    classes = signal_type_classes()
    hma_names = [cls.hma_name for cls in classes.values() if cls.hma_name]
    assert len(hma_names) == len(set(hma_names))
    for name, cls in classes.items():
        if cls.hma_name and cls.hma_name != name:
            assert cls.hma_name not in classes
