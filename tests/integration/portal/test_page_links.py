"""The Verify page and the portal lead to each other."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_verify_page_and_the_portal_link_to_each_other(client: TestClient) -> None:
    verify = client.get("/verify").text
    masthead = verify[verify.index('<header class="masthead">') : verify.index("</header>")]
    assert '<a class="brand" href="/">accord</a>' in masthead
    assert '<a href="/report">Report deceptive content</a>' in masthead
    assert '<a href="/report">Report it</a>' in verify  # the footer too
    home = client.get("/").text
    nav = home[home.index('<nav aria-label="Main">') : home.index("</nav>")]
    assert '<a href="/verify">Verify a file</a>' in nav
    assert '<a href="/verify">Verify a file</a>' in home[home.index("<main") :]
