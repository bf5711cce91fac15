"""The password rules (NIST SP 800-63B): length, the common-password list, repetition and
the context, each refusal saying exactly what is wrong."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from accord.errors import BadRequest
from accord.server.accounts import passwords
from accord.server.accounts import service as accounts
from accord.server.auth.roles import Role

EMAIL = "alice@example.org"


def refusal(password: str, *, email: str = EMAIL, display_name: str = "") -> str:
    with pytest.raises(BadRequest) as refused:
        passwords.check_password(password, email=email, display_name=display_name)
    return refused.value.detail


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",  # the tests' and the examples' own
        "Tr0ub4dor&3 is not a passphrase",
        "15 characters!!",  # exactly the minimum
        "ünïcödé pässwörd ✓",  # any character counts as one
        "only lower case letters",  # no composition rules
        "a" * 100 + "b" * 156,  # exactly the maximum
    ],
)
def test_good_passwords_are_accepted(password: str) -> None:
    passwords.check_password(password, email=EMAIL, display_name="Alice Smith")


def test_the_length_is_named_with_what_was_given() -> None:
    assert refusal("short one") == (
        "a password must be at least 15 characters long; this one has 9"
    )
    assert refusal("x" * 256 + "y") == "a password must be at most 256 characters long"


def test_common_passwords_are_refused_whatever_their_case_and_spaces() -> None:
    listed = passwords.common_passwords()
    assert len(listed) > 40_000
    among = f"this password is among the {len(listed):,} most common passwords"
    for password in ("1q2w3e4r5t6y7u8i", "ManchesterUnited", "manchester united"):
        assert refusal(password) == f"{among}, which attackers try first: choose another"


def test_a_common_password_inside_digits_or_symbols_is_named() -> None:
    assert refusal("dragon!!12345678") == (
        "this password is the common password 'dragon' with digits or symbols added, "
        "which attackers try early: choose another"
    )


def test_one_piece_repeated_is_refused() -> None:
    assert (
        refusal("abcabcabcabcabc")
        == "a password must not be one short piece repeated ('abc' 5 times)"
    )
    assert refusal(" " * 20) == "a password must not be one short piece repeated (' ' 20 times)"


def test_context_words_are_named_exactly() -> None:
    # The email's first part was reported as "the email address": now it is named.
    assert refusal("alice in wonderland rules") == (
        "a password must not contain 'alice', from your email address 'alice@example.org'"
    )
    assert refusal("smithereens everywhere", display_name="Alice Smith") == (
        "a password must not contain your name 'smith'"
    )
    assert refusal("my accord passphrase") == (
        "a password must not contain the name of this service, 'accord'"
    )
    # Parts of a dotted mailbox count; parts shorter than four letters do not.
    assert "'jane'" in refusal("jane likes long walks", email="jane.doe@example.org")
    passwords.check_password("a doe in the forest", email="jane.doe@example.org")


def test_every_way_to_set_a_password_applies_the_rules(session: Session) -> None:
    commission = accounts.create_organization(session, "Commission", "election_authority")
    with pytest.raises(BadRequest, match="your name 'grace'"):
        accounts.create_user(
            session, commission, "g@example.org", Role.REVIEWER, "amazing grace hopper",
            display_name="Grace",
        )  # fmt: skip
    token = accounts.invite(session, commission, "bob.tables@example.org", Role.AUDITOR)
    with pytest.raises(BadRequest, match="'tables', from your email address"):
        accounts.accept_invitation(session, token, "little bobby tables!!")
    with pytest.raises(BadRequest, match="your name 'robert'"):
        accounts.accept_invitation(
            session, token, "robert'); drop table students;--", display_name="Robert"
        )


def test_the_list_is_read_once_and_only_when_needed() -> None:
    passwords.common_passwords.cache_clear()
    passwords.check_password("correct horse battery staple", email=EMAIL)
    passwords.check_password("another fine passphrase", email=EMAIL)
    assert passwords.common_passwords.cache_info().misses == 1
