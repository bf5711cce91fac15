"""Create, import and read issuers; their private keys only ever leave sealed or in use."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from cryptography import x509
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Conflict, NotFound
from accord.provenance.certificates import (
    IssuerName,
    SigningChain,
    check_chain,
    issue_chain,
    load_chain,
)
from accord.provenance.sealing import seal_private_key, unseal_private_key
from accord.server.countries import country_codes
from accord.server.issuers.models import Issuer

ISSUER_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,99}")


def create_issuer(session: Session, name: str, who: IssuerName, master_key: str) -> Issuer:
    """A new issuer with a root CA and a signing certificate made here."""
    _check_new_name(session, name)
    if who.country is not None:
        country_codes([who.country])  # the list elections use: "UK" is refused, "GB" not
    return _store(session, name, issue_chain(who), master_key, origin="created")


def import_issuer(
    session: Session,
    name: str,
    chain_pem: bytes,
    key_pem: bytes,
    master_key: str,
    *,
    key_password: bytes | None = None,
) -> Issuer:
    """An issuer from an existing PEM chain (end entity first) and private key, checked
    against the C2PA certificate profile before it is stored."""
    _check_new_name(session, name)
    certificates, key = load_chain(chain_pem, key_pem, key_password=key_password)
    return _store(session, name, check_chain(certificates, key), master_key, origin="imported")


def list_issuers(session: Session) -> list[Issuer]:
    return list(session.scalars(select(Issuer).order_by(Issuer.name)))


def get_issuer(session: Session, name: str) -> Issuer:
    issuer = session.scalar(select(Issuer).where(Issuer.name == name))
    if issuer is None:
        raise NotFound(f"no issuer named {name}")
    return issuer


def signing_chain(issuer: Issuer, master_key: str) -> SigningChain:
    """The issuer's chain and its unsealed key, to sign with now."""
    certificates = x509.load_pem_x509_certificates(issuer.chain_pem.encode())
    root = x509.load_pem_x509_certificate(issuer.root_pem.encode()) if issuer.root_pem else None
    return SigningChain(
        tuple(certificates), unseal_private_key(issuer.sealed_key, master_key), root
    )


def trust_anchors(session: Session, configured: Sequence[str]) -> list[str]:
    """PEM trust anchors for verification: this instance's issuers' roots, then the
    ``configured`` trust lists (``Runtime.trust_anchors``)."""
    roots = [pem for pem in session.scalars(select(Issuer.root_pem)) if pem]
    return [*roots, *configured]


def organizations(session: Session, issuer_ids: Collection[int]) -> dict[int, str]:
    """The organization each of the issuers is, by issuer id; unknown ids are left out."""
    if not issuer_ids:
        return {}
    rows = session.execute(
        select(Issuer.id, Issuer.organization).where(Issuer.id.in_(list(issuer_ids)))
    )
    return dict(rows.all())


def _check_new_name(session: Session, name: str) -> None:
    if not ISSUER_NAME.fullmatch(name):
        msg = (
            f"issuer name {name!r}: 1-100 lowercase letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
        raise BadRequest(msg)
    if session.scalar(select(Issuer.id).where(Issuer.name == name)) is not None:
        raise Conflict(f"an issuer named {name} already exists")


def _store(
    session: Session, name: str, chain: SigningChain, master_key: str, *, origin: str
) -> Issuer:
    organization = chain.leaf.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    root_pem = chain.root_pem()
    issuer = Issuer(
        name=name,
        organization=str(organization[0].value) if organization else "",
        chain_pem=chain.chain_pem().decode(),
        root_pem=root_pem.decode() if root_pem else None,
        sealed_key=seal_private_key(chain.key, master_key),
        algorithm=chain.algorithm,
        origin=origin,
        not_after=chain.leaf.not_valid_after_utc,
    )
    session.add(issuer)
    session.flush()
    return issuer
