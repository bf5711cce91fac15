"""Which passwords accord accepts: NIST SP 800-63B-4 (§3.1.1.2), and nothing more.

- At least ``MIN_LENGTH`` characters (the guideline's minimum for a password that is the
  only factor, as here) and at most ``MAX_LENGTH``, counted in Unicode code points; any
  character, spaces included.
- No composition rules (no "a digit and a symbol"): they make passwords harder to remember,
  not to guess.
- Refused: the common passwords shipped beside this module (``common_passwords.NOTICE``
  says where they come from), one of them with digits or symbols around it, one short piece
  repeated, and words from the context: the name of the service, the account's name and
  the first part of its email address.

Each refusal says which rule, in words a person can act on.
"""

from __future__ import annotations

import functools
import gzip
import re
import unicodedata
from importlib import resources

from accord.errors import BadRequest

MIN_LENGTH = 15
#: Generous (the guideline asks for at least 64) yet bounded.
MAX_LENGTH = 256
SERVICE_NAME = "accord"
#: Shorter names are too common inside ordinary words to refuse ("bob" in "bobsleigh").
MIN_NAME_LENGTH = 4
#: A common password this long or longer inside digits or symbols is still that password.
_MIN_CORE = 4
_LIST = "common_passwords.txt.gz"
_AFFIXES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_NAME_PARTS = re.compile(r"[\W\d_]+")


def check_password(password: str, *, email: str, display_name: str = "") -> None:
    """Raise ``BadRequest`` naming the first rule ``password`` breaks, if any."""
    if len(password) < MIN_LENGTH:
        raise BadRequest(
            f"a password must be at least {MIN_LENGTH} characters long; this one has "
            f"{len(password)}"
        )
    if len(password) > MAX_LENGTH:
        raise BadRequest(f"a password must be at most {MAX_LENGTH} characters long")
    folded = _fold(password)
    _check_common(folded)
    _check_repeated(folded)
    _check_context(folded, email=email, display_name=display_name)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, read once, on first use (it is 40,000 entries)."""
    data = resources.files(__package__).joinpath(_LIST).read_bytes()
    return frozenset(gzip.decompress(data).decode().splitlines())


def _fold(text: str) -> str:
    # One form for look-ups only (the hash is of the password as typed).
    return unicodedata.normalize("NFKC", text).casefold()


def _check_common(folded: str) -> None:
    listed = common_passwords()
    if folded in listed or folded.replace(" ", "") in listed:
        raise BadRequest(
            f"this password is among the {len(listed):,} most common passwords, which "
            "attackers try first: choose another"
        )
    core = _AFFIXES.sub("", folded)
    if core != folded and len(core) >= _MIN_CORE and core in listed:
        raise BadRequest(
            f"this password is the common password {core!r} with digits or symbols added, "
            "which attackers try early: choose another"
        )


def _check_repeated(folded: str) -> None:
    for size in range(1, len(folded) // 2 + 1):
        piece = folded[:size]
        if len(folded) % size == 0 and piece * (len(folded) // size) == folded:
            raise BadRequest(
                f"a password must not be one short piece repeated ({piece!r} "
                f"{len(folded) // size} times)"
            )


def _check_context(folded: str, *, email: str, display_name: str) -> None:
    if SERVICE_NAME in folded:
        raise BadRequest(f"a password must not contain the name of this service, {SERVICE_NAME!r}")
    local = _fold(email).partition("@")[0]
    for word in _words(local):
        if word in folded:
            raise BadRequest(
                f"a password must not contain {word!r}, from your email address {email!r}"
            )
    for word in _words(_fold(display_name)):
        if word in folded:
            raise BadRequest(f"a password must not contain your name {word!r}")


def _words(name: str) -> list[str]:
    """``name`` whole and its parts ("jane.doe": "jane.doe", "jane", "doe"), long enough ones."""
    candidates = [name.strip(), *_NAME_PARTS.split(name)]
    return [word for word in dict.fromkeys(candidates) if len(word) >= MIN_NAME_LENGTH]
