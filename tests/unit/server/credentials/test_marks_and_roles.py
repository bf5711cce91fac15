"""The words of two small helpers: the watermark credentials declare, and role refusals."""

from __future__ import annotations

from accord.provenance.verification import Credential, SoftBinding
from accord.server.auth.roles import role_refusal
from accord.server.credentials.marks import declared_watermark


def credential(*bindings: SoftBinding) -> Credential:
    return Credential(
        title=None, tool=None, signer=None, signer_name=None, signed_at=None,
        algorithm=None, actions=(), source_types=(), ingredients=(), soft_bindings=bindings,
    )  # fmt: skip


def test_only_accords_own_binding_declares_a_watermark() -> None:
    assert declared_watermark(None) is None
    assert declared_watermark(credential()) is None
    pdq = SoftBinding("org.accord.pdq.1", "AAECAwQFBgc=")
    assert declared_watermark(credential(pdq)) is None
    broken = SoftBinding("org.accord.watermark.1", "not base64!")
    mark = SoftBinding("org.accord.watermark.1", "ASNFZ4mrze8=")
    assert declared_watermark(credential(pdq, broken, mark)) == "0123456789abcdef"


def test_refusals_name_who_may_and_who_the_reader_is() -> None:
    assert role_refusal(["admin"], "reviewer").detail == (
        "only administrators may open this page; you are signed in as a reviewer"
    )
    both = role_refusal(["admin", "auditor"], "senior_reviewer", "read the report")
    assert both.detail == (
        "only administrators and auditors may read the report; you are signed in as a "
        "senior reviewer"
    )
    assert both.title == "Not allowed"
    assert "you are signed in as “robot”" in role_refusal(["admin"], "robot").detail
