"""The harmonised templates' sheets and header rows: exactly those of Annex I, odd spacing
included, checked against an independent copy kept with the tests."""

from __future__ import annotations

import json
from pathlib import Path

from accord.server.transparency import templates

ORACLE = Path(__file__).parents[3] / "fixtures" / "dsa" / "annex_i_headers.json"


def _oracle() -> dict[str, list[str]]:
    loaded: dict[str, list[str]] = json.loads(ORACLE.read_text(encoding="utf-8"))
    return loaded


def test_the_headers_are_the_oracles_character_for_character() -> None:
    oracle = _oracle()
    shipped = templates.annex_i_headers()
    assert list(shipped) == list(oracle) == list(templates.SHEET_NAMES)
    for name, headers in oracle.items():
        assert list(shipped[name]) == headers, name
        assert templates.headers(name) == tuple(headers)


def test_the_odd_spacings_are_kept() -> None:
    notices = templates.headers(templates.NOTICES)
    assert "Number of notices received " in notices
    assert "Number of notices received" not in notices
    assert "Contextual information on Number of notices received " in notices
    for sheet in (templates.OWN_INITIATIVE_ILLEGAL, templates.OWN_INITIATIVE_TERMS):
        headers = templates.headers(sheet)
        assert "Visibility restriction Labelled " in headers
        assert "Number of measures taken at the provider's own initiative " in headers
        assert "Number of measures taken after detection with solely automated means " in headers
        assert "Contextual Information on Visibility restriction Labelled " in headers
    assert 'Description of the sub-category "Other"' in notices


def test_each_sheet_has_as_many_columns_as_the_template() -> None:
    widths = {name: len(templates.headers(name)) for name in templates.SHEET_NAMES}
    assert widths == {
        "1_report_identification": 4,
        "2_categories_names": 4,
        "3_member_states_orders": 20,
        "4_notices": 25,
        "5_own_initiative_illegal": 37,
        "6_own_initiative_TC": 37,
        "7_appeals_and_recidivism": 8,
        "8_automated_means": 8,
        "09_qualitative": 5,
    }
