"""TOTP as RFC 6238 defines it: Appendix B's test vectors, the verifier's window of one
step either side, and no step accepted twice."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from accord.server.accounts import totp

#: RFC 6238 Appendix B: the seeds (ASCII) per hash, and (time, SHA1, SHA256, SHA512).
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("unix_time", "sha1", "sha256", "sha512"), VECTORS)
def test_rfc_6238_appendix_b(unix_time: int, sha1: str, sha256: str, sha512: str) -> None:
    for algorithm, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        assert totp.totp(SEEDS[algorithm], unix_time, digits=8, algorithm=algorithm) == expected


def test_rfc_4226_appendix_d_hotp() -> None:
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922"]
    assert [totp.hotp(SEEDS["sha1"], counter) for counter in range(7)] == expected


def test_a_code_is_taken_one_step_either_side_and_never_twice() -> None:
    secret = totp.new_secret()
    key = totp.secret_bytes(secret)
    now = 1_800_000_015.0
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        code = totp.hotp(key, step + offset)
        assert totp.matching_step(secret, code, now, after=None) == step + offset
        # Used once, it (and every code before it) is refused from then on.
        assert totp.matching_step(secret, code, now, after=step + offset) is None
    for offset in (-2, 2):
        assert totp.matching_step(secret, totp.hotp(key, step + offset), now, after=None) is None
    assert totp.matching_step(secret, "12345", now, after=None) is None
    assert totp.matching_step(secret, "abcdef", now, after=None) is None


def test_secrets_are_random_160_bit_base32() -> None:
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second
    assert len(totp.secret_bytes(first)) == 20
    assert totp.secret_bytes(first.lower()) == totp.secret_bytes(first)


def test_the_provisioning_uri_names_the_account_and_issuer() -> None:
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", account="ada@ec.example", issuer="accord")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.path) == ("otpauth", "totp", "/accord:ada@ec.example")
    query = parse_qs(parts.query)
    assert query["secret"] == ["JBSWY3DPEHPK3PXP"]
    assert query["issuer"] == ["accord"]
    assert (query["digits"], query["period"], query["algorithm"]) == (["6"], ["30"], ["SHA1"])
