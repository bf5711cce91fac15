"""``accord issuer``: create and import issuers; the stored chain and sealed key sign."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from accord.errors import CredentialError
from accord.provenance.certificates import IssuerName, issue_chain
from accord.server.issuers.service import get_issuer, signing_chain
from accord.server.runtime import Runtime
from accord.server.settings import Settings
from tests.unit.cli.conftest import MASTER_KEY, accord
from tests.unit.provenance.test_certificates import leaf_variant, sign_and_read


def test_create_list_show_and_sign_trusted(corpus: Path, tmp_path: Path) -> None:
    root_file = tmp_path / "root.pem"
    code, out, err = accord(
        "issuer", "create", "electoral-commission", "--organization", "Electoral Commission",
        "--country", "GB", "--root-out", root_file,
    )  # fmt: skip
    assert code == 0, err
    assert "issuer electoral-commission: Electoral Commission" in out
    assert "algorithm es256, created" in out
    code, out, _ = accord("issuer", "list")
    assert out.startswith("electoral-commission\tElectoral Commission\tes256\tcreated\tvalid until")
    code, root_pem, _ = accord("issuer", "show", "electoral-commission", "--root")
    assert root_pem == root_file.read_text()
    assert root_pem.startswith("-----BEGIN CERTIFICATE-----")

    runtime = Runtime.build(Settings())
    try:
        with runtime.sessions() as session:
            issuer = get_issuer(session, "electoral-commission")
            assert b"ENCRYPTED PRIVATE KEY" in issuer.sealed_key
            chain = signing_chain(issuer, MASTER_KEY)
            with pytest.raises(CredentialError, match="master key"):
                signing_chain(issuer, "another master key, not this one")
    finally:
        runtime.close()
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    assert sign_and_read(chain, photo, anchors=root_pem.encode())["state"] == "Trusted"

    code, _, err = accord("issuer", "create", "electoral-commission", "--organization", "X")
    assert (code, err.strip()) == (
        1,
        "accord: error: an issuer named electoral-commission already exists",
    )
    code, _, err = accord("issuer", "create", "Bad Name", "--organization", "X")
    assert code == 1
    assert "lowercase letters" in err
    code, _, err = accord("issuer", "create", "x", "--organization", "X", "--country", "GBR")
    assert (code, err.strip()) == (1, "accord: error: country must be a two-letter code, not 'GBR'")
    assert accord("issuer", "show", "nobody")[0] == 1


def test_import_checks_the_chain_and_opens_encrypted_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chain = issue_chain(IssuerName("Newsroom", "Newsroom signing"))
    (tmp_path / "chain.pem").write_bytes(chain.chain_pem() + (chain.root_pem() or b""))
    (tmp_path / "key.pem").write_bytes(
        chain.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"key password"),
        )
    )
    args = ("issuer", "import", "newsroom", "--chain", tmp_path / "chain.pem", "--key")
    code, _, err = accord(*args, tmp_path / "key.pem")
    assert code == 1
    assert "private key cannot be read" in err  # encrypted, and no password given
    monkeypatch.setenv("KEY_PASSWORD", "key password")
    code, out, err = accord(*args, tmp_path / "key.pem", "--key-password-env", "KEY_PASSWORD")
    assert code == 0, err
    assert "algorithm es256, imported" in out
    assert "root certificate kept" in out

    certificates, key = leaf_variant(extensions={x509.AuthorityKeyIdentifier: None})
    (tmp_path / "bad.pem").write_bytes(
        b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)
    )
    (tmp_path / "bad-key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    code, _, err = accord(
        "issuer",
        "import",
        "bad",
        "--chain",
        tmp_path / "bad.pem",
        "--key",
        tmp_path / "bad-key.pem",
    )
    assert code == 1
    assert "lacks an authority key identifier" in err
    code, _, err = accord(
        "issuer", "import", "gone", "--chain", tmp_path / "no.pem", "--key", tmp_path / "key.pem"
    )
    assert code == 1
    assert err == f"accord: error: {tmp_path / 'no.pem'}: no such file\n"
    assert accord("issuer", "list")[1].count("\n") == 1  # only the good import was stored
