"""The Assessment: a band, the findings that led there, what it does not prove, and
enough about the input and the tools to reproduce it. Serialised as versioned JSON
(``SCHEMA``, described by ``assessment.schema.json`` beside this module)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

from accord.assessment.bands import Band, Decision
from accord.assessment.evidence import Finding
from accord.claims.verdicts import claim_words

SCHEMA = "accord.assessment/1"
#: The likeness producer's finding code (``producers.likeness``).
LIKENESS_CODE = "likeness.protected_person"
VOICE_LIKENESS_CODE = "voice_likeness.protected_person"
#: The claims producers (``producers.spoken_claims``, ``producers.text_claims``): the
#: transcript's finding code, and the producers whose other findings are claims.
TRANSCRIPT_CODE = "spoken_claims.transcript"
CLAIMS_PRODUCERS = ("spoken_claims", "text_claims")
#: Bands that show a file genuine: no priority review, no robocall.
_GENUINE = (Band.LIKELY_AUTHENTIC, Band.VERIFIED_AUTHENTIC)
#: Who says a claim, by where its words came from ("from"): the file, its caption, the
#: notice that reported it.
_SAYER = {
    "speech": "It",
    "caption": "Its caption",
    "notice": "The reported content, as the notice describes it,",
}
#: Said with every assessment, whatever its band.
DOES_NOT_PROVE = (
    "No tool can prove a file authentic or fake on its own: this assessment weighs the "
    "evidence accord found and says how strong it is.",
    "Weak findings (forensic maps, metadata a file may carry falsely) never decide a band.",
    "'No evidence either way' means accord found nothing decisive, not that the file is authentic.",
)


@dataclass(frozen=True, slots=True)
class InputFile:
    name: str
    sha256: str
    md5: str
    size: int
    format: str
    kind: str


@dataclass(frozen=True, slots=True)
class Skipped:
    producer: str
    reason: str


@dataclass(frozen=True, slots=True)
class Assessment:
    decision: Decision
    findings: tuple[Finding, ...]
    input: InputFile
    #: ``{"accord": version, "c2pa": version, "producers": {name: version}}``.
    tools: dict[str, Any]
    created_at: datetime
    skipped: tuple[Skipped, ...] = ()

    @property
    def band(self) -> Band:
        return self.decision.band

    @property
    def summary(self) -> str:
        decision = self.decision
        if not decision.deciding:
            summary = (
                "No decisive evidence either way: "
                f"{len(self.findings)} finding{'s' if len(self.findings) != 1 else ''}, "
                "none strong enough to decide."
            )
        else:
            reasons = " ".join(finding.explanation for finding in decision.deciding)
            summary = f"{self.band.label}. {reasons}"
            if decision.conflicting:
                # Each explanation is a sentence of its own: "; " would follow its period.
                against = " ".join(finding.explanation for finding in decision.conflicting)
                summary += f" Against this: {against}"
        summary += self._claims_summary()
        if self.priority_review and self.protected_people:
            names = ", ".join(person["name"] for person in self.protected_people)
            summary += (
                f" It appears to show {names}, a protected person, and nothing shows it is "
                "genuine: review it first."
            )
        if self.robocall:
            summary += (
                " A protected person's voice or face with a false claim about voting in what "
                "it says: the robocall case, urgent."
            )
        return summary

    def _claims_summary(self) -> str:
        claims = self.claims
        if not claims:
            return ""
        first = min(claims, key=lambda claim: claim["strength"] != "strong")
        who = _SAYER.get(first["from"], "It")
        verb = "says" if first["strength"] == "strong" else "may say"
        what = claim_words(first["category"]).says
        more = len(claims) - 1
        also = f" ({more} more claim{'s' if more != 1 else ''} below)" if more else ""
        return f" {who} {verb} {what}: {first['explanation']}{also}"

    @property
    def protected_people(self) -> list[dict[str, Any]]:
        """The protected people a face or the voice resembles: faces closest first, then
        voices most similar first, each person once per way they were found."""
        faces: dict[str, dict[str, Any]] = {}
        voices: dict[str, dict[str, Any]] = {}
        for finding in self.findings:
            if finding.code not in {LIKENESS_CODE, VOICE_LIKENESS_CODE}:
                continue
            person = {key: finding.details[key] for key in ("person_id", "name", "role")}
            person["at_seconds"] = finding.at_seconds
            if finding.code == LIKENESS_CODE:
                person |= {"by": "face", "distance": finding.details["distance"]}
                known = faces.get(person["person_id"])
                if known is None or person["distance"] < known["distance"]:
                    faces[person["person_id"]] = person
            else:
                person |= {"by": "voice", "similarity": finding.details["similarity"]}
                voices[person["person_id"]] = person
        return sorted(faces.values(), key=lambda person: person["distance"]) + sorted(
            voices.values(), key=lambda person: -person["similarity"]
        )

    @property
    def priority_review(self) -> bool:
        """A protected person appears, or a false claim about voting is made, and nothing
        shows the file is genuine (no Content Credentials, no registered original)."""
        return bool(self.protected_people or self.claims) and self.band not in _GENUINE

    @property
    def transcript(self) -> dict[str, Any] | None:
        """What the sound track says (``Transcript.to_json()``); None when not transcribed."""
        for finding in self.findings:
            if finding.code == TRANSCRIPT_CODE:
                return dict(finding.details)
        return None

    @property
    def claims(self) -> list[dict[str, Any]]:
        """The false claims about voting and impersonations found in what the file says
        and in the words that came with it (``Claim.to_json()`` with "from": "speech",
        "caption" or "notice"): spoken ones in time order, then written ones in the order
        written."""
        found = [
            dict(finding.details)
            for finding in self.findings
            if finding.producer in CLAIMS_PRODUCERS and finding.code != TRANSCRIPT_CODE
        ]
        return sorted(found, key=lambda claim: (claim["from"] != "speech", claim["start"] or 0))

    @property
    def robocall(self) -> bool:
        """A protected person's voice or face, a strong false claim in what the file says,
        and nothing that shows the file genuine: the 2024 robocall. A moderate claim (the
        classifier's read, or a claim the words around it undo) raises priority but is not
        enough for this; nor is a claim in a file with Content Credentials or a registered
        original (likely or verified authentic: a broadcast of the person quoting a lie to
        rebut it is the person's own, not a forgery to rush to review), as for
        ``priority_review``."""
        spoken = any(
            claim["from"] == "speech" and claim["strength"] == "strong" for claim in self.claims
        )
        return bool(self.protected_people) and spoken and self.band not in _GENUINE

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "band": str(self.band),
            "band_label": self.band.label,
            "summary": self.summary,
            "deciding": _codes(self.decision.deciding),
            "conflicting": _codes(self.decision.conflicting),
            "findings": [finding.to_json() for finding in self.findings],
            "protected_people": self.protected_people,
            "priority_review": self.priority_review,
            "transcript": self.transcript,
            "claims": self.claims,
            "robocall": self.robocall,
            "does_not_prove": list(DOES_NOT_PROVE),
            "input": {
                "name": self.input.name,
                "sha256": self.input.sha256,
                "md5": self.input.md5,
                "size": self.input.size,
                "format": self.input.format,
                "kind": self.input.kind,
            },
            "tools": self.tools,
            "skipped": [{"producer": s.producer, "reason": s.reason} for s in self.skipped],
            "created_at": self.created_at.isoformat(),
        }


def assessment_schema() -> dict[str, Any]:
    """The JSON Schema every assessment's ``to_json()`` follows."""
    text = resources.files("accord.assessment").joinpath("assessment.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _codes(findings: Sequence[Finding]) -> list[str]:
    return [finding.code for finding in findings]
