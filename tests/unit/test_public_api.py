"""The curated public API, and an ``import accord`` that stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import accord


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert accord.__all__ == sorted(accord.__all__)
    for name in accord.__all__:
        assert getattr(accord, name) is not None


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="does_not_exist"):
        accord.does_not_exist  # noqa: B018 - the attribute access is the test


def test_import_is_light_and_the_library_never_loads_the_server() -> None:
    code = (
        "import json, sys, accord\n"
        "light = set(sys.modules)\n"
        "accord.hash_file\n"
        "accord.verify\n"
        "accord.assess\n"
        "print(json.dumps([sorted(light), sorted(sys.modules)]))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    light, after_library = map(set, json.loads(output))
    assert not {"numpy", "PIL", "av", "fastapi", "sqlalchemy"} & light
    assert not {"fastapi", "starlette", "sqlalchemy", "accord.server"} & after_library


def test_hash_file_through_the_public_api(corpus) -> None:  # type: ignore[no-untyped-def]
    result = accord.hash_file(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")
    pdq = result.signal("pdq")
    assert pdq is not None
    assert pdq.value.startswith("f8f8f0ce")
