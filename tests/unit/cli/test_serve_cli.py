"""``accord serve`` on an address it cannot listen on: one plain line, before any banner."""

from __future__ import annotations

import socket

from tests.unit.cli.conftest import accord


def test_a_busy_port_is_one_plain_line_and_no_banner() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, stdout, stderr = accord("serve", "--host", "127.0.0.1", "--port", port)
    assert (code, stdout) == (1, "")
    assert stderr == (
        f"accord: error: cannot listen on 127.0.0.1:{port}: the address is already in use "
        "(another accord or program is running there; use --port)\n"
    )


def test_an_address_this_machine_does_not_have() -> None:
    # 192.0.2.0/24 is reserved for documentation: no machine has it, and binding to it
    # fails at once, without the network.
    code, _, stderr = accord("serve", "--host", "192.0.2.1", "--port", "8000")
    assert code == 1
    assert stderr == (
        "accord: error: cannot listen on 192.0.2.1:8000: this machine has no such address "
        "(use --host)\n"
    )


def test_an_open_instance_is_not_served_beyond_this_machine() -> None:
    """Without API keys every caller holds every scope: only loopback may be served."""
    code, stdout, stderr = accord("serve", "--host", "0.0.0.0", "--port", "0")  # noqa: S104
    assert (code, stdout) == (1, "")
    assert stderr == (
        "accord: error: refusing to listen on 0.0.0.0 without API keys (any caller would "
        "hold every scope): set ACCORD_REQUIRE_API_KEYS=true or ACCORD_ENV=production, or "
        "listen on 127.0.0.1\n"
    )


def test_loopback_is_told_apart_from_addresses_others_reach() -> None:
    from accord.cli.listening import is_loopback

    assert all(map(is_loopback, ["127.0.0.1", "127.8.9.10", "::1", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.0.2.1", "accord.example.org"]))  # noqa: S104
