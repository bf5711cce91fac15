"""The public page's SVG charts: well-formed XML, a text alternative, every text escaped,
and a small count drawn as a hatched stub with its words, never as a length."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from accord.server.transparency.charts import Series, bars_over_time, horizontal_bars

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    return root


def bars_of(root: ET.Element) -> list[ET.Element]:
    return [group for group in root.iter(f"{SVG}g") if group.get("class") == "bar"]


def test_horizontal_bars_have_a_text_alternative_and_lengths_in_proportion() -> None:
    root = parsed(
        horizontal_bars(
            "by-ground", "Actions, by ground", "Illegal: 10; Terms: 40.",
            [("Illegal", 10), ("Against the terms of service", 40), ("Other", 0)],
        )
    )  # fmt: skip
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Actions, by ground"
    assert desc is not None
    assert desc.text == "Illegal: 10; Terms: 40."
    assert root.get("aria-labelledby") == "by-ground-title by-ground-desc"
    groups = bars_of(root)
    assert [(g.get("data-label"), g.get("data-value")) for g in groups] == [
        ("Illegal", "10"), ("Against the terms of service", "40"), ("Other", "0"),
    ]  # fmt: skip
    widths = [float(g.find(f"{SVG}rect").get("width", "")) for g in groups]  # type: ignore[union-attr]
    assert widths[1] == 4 * widths[0]
    assert widths[2] == 0
    values = [g.find(f"{SVG}text[@class='value']").text for g in groups]  # type: ignore[union-attr]
    assert values == ["10", "40", "0"]


def test_a_small_count_is_a_hatched_stub_with_its_words() -> None:
    root = parsed(
        horizontal_bars("appeals", "Appeals", "…", [("Upheld", 3000), ("Reversed", "fewer than 5")])
    )
    stub = bars_of(root)[1]
    rect = stub.find(f"{SVG}rect")
    assert rect is not None
    assert rect.get("class") == "hidden-count"
    assert rect.get("fill") == "url(#appeals-hatch)"
    assert float(rect.get("width", "")) < 30  # short, whatever the scale
    assert stub.find(f"{SVG}text[@class='value']").text == "fewer than 5"  # type: ignore[union-attr]
    assert root.find(f".//{SVG}pattern[@id='appeals-hatch']") is not None
    # Its words are all it says, in its tooltip and beside it.
    assert list(stub.itertext()) == ["Reversed", "Reversed: fewer than 5", "fewer than 5"]


def test_every_text_is_escaped() -> None:
    hostile = "<script>alert(\"x\")</script> & 'quotes'"
    svg = horizontal_bars(hostile, hostile, hostile, [(hostile, 5), (hostile, "fewer than 5")])
    assert "<script>" not in svg
    root = parsed(svg)
    assert root.find(f"{SVG}title").text == hostile  # type: ignore[union-attr]
    assert {g.get("data-label") for g in bars_of(root)} == {hostile}
    over_time = bars_over_time(hostile, hostile, hostile, [hostile], [Series(hostile, [1])])
    assert "<script>" not in over_time
    assert bars_of(parsed(over_time))[0].get("data-series") == hostile


def test_bars_over_time_draw_each_interval_and_series() -> None:
    labels = [f"{day} Nov" for day in range(1, 31)]
    notices = [day * 3 for day in range(30)]
    actions: list[int | str] = [
        day if day >= 5 or day == 0 else "fewer than 5" for day in range(30)
    ]
    root = parsed(
        bars_over_time(
            "over-time", "Notices and actions, by day", "Bars for each day.", labels,
            [Series("Notices received", notices), Series("Actions taken", actions)],
        )
    )  # fmt: skip
    groups = bars_of(root)
    assert len(groups) == 60
    assert [g.get("data-value") for g in groups[:4]] == ["0", "0", "3", "fewer than 5"]
    assert {g.get("data-series") for g in groups} == {"Notices received", "Actions taken"}
    heights = {
        g.get("data-label"): float(g.find(f"{SVG}rect").get("height", ""))  # type: ignore[union-attr]
        for g in groups
        if g.get("data-series") == "Notices received"
    }
    assert heights["21 Nov"] == 2 * heights["11 Nov"] > 0
    assert heights["1 Nov"] == 0
    hidden = [g for g in groups if g.get("data-value") == "fewer than 5"]
    assert len(hidden) == 4
    for group in hidden:
        rect = group.find(f"{SVG}rect")
        assert rect is not None
        assert rect.get("class") == "hidden-count"
        tip = rect.find(f"{SVG}title")
        assert tip is not None
        assert tip.text is not None
        assert tip.text.endswith("fewer than 5")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "fewer than 5" in texts  # the legend names the hatching
    assert "1 Nov" in texts
    assert "30 Nov" not in texts


def test_an_empty_period_still_draws() -> None:
    assert bars_of(parsed(horizontal_bars("c", "Categories", "none", []))) == []
    root = parsed(bars_over_time("t", "Days", "none", ["1 Nov"], [Series("Notices", [0])]))
    assert bars_of(root)[0].get("data-value") == "0"
