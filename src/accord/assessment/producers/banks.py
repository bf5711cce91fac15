"""Banks and the registry as evidence: confirmed deceptive, allowed, a copy of an
authentic original (and then whether, and where, the copy was changed), or a copy of what
an AI generator made and registered (then it is AI-generated, by that generator).

The lookup comes from the caller (a server's banks and registry); the library has none.
When the registry keeps the original file, an image copy is aligned on it and compared:
the classic election deepfake splices a fake face or sign into a real news photo, and
the map shows where.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from accord.assessment.differences import MIN_COMPARED_SIDE, Comparison, compare
from accord.assessment.evidence import (
    AssessedFile,
    BankHit,
    Direction,
    Figure,
    Finding,
    Producer,
    Strength,
)
from accord.errors import MediaError
from accord.media.file import open_media
from accord.media.image import decode_image
from accord.media.kinds import MediaKind
from accord.signals.base import Compared
from accord.signals.registry import signal_type_classes

_LIMITS = (
    "A bank holds what its curators put there; a match says this file is (a copy of) that "
    "entry, not that the entry's verdict is right."
)
_MAP_GUIDE = (
    "The copy in grey; areas that differ from the registered original beyond compression "
    "noise are red, outlined in yellow. Re-encoding, resizing and cropping do not show; "
    "changed content (a face, a sign, a caption) does. Very small or low-contrast edits "
    "can go unseen."
)


class BanksProducer(Producer):
    name = "banks"
    version = "2"
    media_kinds = frozenset(MediaKind)
    description = "Matches in deceptive, authentic (registry), generated, allow and watch banks"

    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        if subject.banks is None:
            return []
        hits = sorted(subject.banks(subject), key=lambda hit: hit.distance)
        return list(_findings(subject, hits))


def _findings(subject: AssessedFile, hits: Sequence[BankHit]) -> Iterator[Finding]:
    """One finding per registry entry (each is its own original), one per other bank:
    two entries of the same deceptive bank say the same thing, so they are said once."""
    by_bank: dict[str, list[BankHit]] = {}
    reported: set[tuple[str, str | None]] = set()
    for hit in hits:  # nearest first
        key = (hit.bank, hit.reference)
        if key in reported:
            continue  # one hit per entry, its nearest signal
        reported.add(key)
        if hit.kind == "authentic":
            yield _authentic(subject, hit)
        elif hit.kind == "generated":
            yield _generated(hit)
        else:
            by_bank.setdefault(hit.bank, []).append(hit)
    for bank_hits in by_bank.values():
        yield _listed(bank_hits)


def _listed(hits: Sequence[BankHit]) -> Finding:
    """The finding for a deceptive, allow or watch bank, from its entries' nearest hits."""
    hit = hits[0]
    entries = _entries(hits)
    extra: dict[str, object] = {"references": [h.reference for h in hits if h.reference]}
    if hit.kind == "deceptive":
        confirmed = "it" if len(hits) == 1 else "them"
        return _finding(
            "deceptive",
            Direction.DECEPTIVE,
            Strength.CONCLUSIVE,
            f"It matches {entries} of the deceptive bank {hit.bank}{_references(hits)}: "
            f"{hit.confirmed_by or 'reviewers'} confirmed {confirmed} deceptive ({_how(hit)}).",
            hit,
            extra=extra,
        )
    if hit.kind == "allow":
        return _finding(
            "allowed",
            Direction.AUTHENTIC,
            Strength.MODERATE,
            f"It matches {entries} of the allow bank {hit.bank}{_references(hits)}, known "
            f"benign ({_how(hit)}).",
            hit,
            extra=extra,
        )
    return _finding(
        "watched",
        Direction.NEUTRAL,
        Strength.WEAK,
        f"It matches {entries} of the watch bank {hit.bank}{_references(hits)} ({_how(hit)}).",
        hit,
        extra=extra,
    )


def _entries(hits: Sequence[BankHit]) -> str:
    return "an entry" if len(hits) == 1 else f"{len(hits)} entries"


def _references(hits: Sequence[BankHit]) -> str:
    references = [hit.reference for hit in hits if hit.reference]
    return f" ({', '.join(references)})" if references else ""


def _authentic(subject: AssessedFile, hit: BankHit) -> Finding:
    where = f"the authentic bank {hit.bank}{_entry(hit)}"
    if _compares(hit) is Compared.BYTES:
        return _finding(
            "authentic_copy",
            Direction.AUTHENTIC,
            Strength.CONCLUSIVE,
            f"It is, byte for byte, a file registered in {where}.",
            hit,
        )
    if hit.differing_seconds is not None:
        return _heard(hit, where)
    comparison = _compare(subject, hit)
    if comparison is None:
        return _finding(
            "derived_from_authentic",
            Direction.NEUTRAL,
            Strength.MODERATE,
            f"It looks like a file registered in {where} ({_how(hit)}); whether its content "
            "was changed cannot be shown without the original.",
            hit,
        )
    details = {
        "alignment": comparison.alignment,
        "overlap": round(comparison.overlap, 3),
        "changed_share": round(comparison.changed_share, 4),
        "regions": [
            {"box": list(region.box), "share": round(region.share, 4)}
            for region in comparison.regions
        ],
    }
    figure = Figure("difference_map", comparison.map_png, _MAP_GUIDE)
    if comparison.regions:
        count = len(comparison.regions)
        return _finding(
            "altered_authentic",
            Direction.ALTERED,
            Strength.STRONG,
            f"It is an altered copy of a file registered in {where}: {count} region"
            f"{'s' if count > 1 else ''} ({comparison.changed_share:.1%} of the picture) "
            "differ from the original; the map shows where.",
            hit,
            extra=details,
            figure=figure,
        )
    return _finding(
        "unaltered_authentic",
        Direction.AUTHENTIC,
        Strength.STRONG,
        f"It is a copy of a file registered in {where}, re-encoded, resized or cropped, with "
        "no region changed.",
        hit,
        extra=details,
        figure=figure,
    )


def _generated(hit: BankHit) -> Finding:
    """A copy of a file an AI generator made and had signed here: AI-generated, by it.

    Strong, not conclusive, unless the bytes are the same: a near match may be an edit of
    the generated file, still made (in part) by AI but maybe not only."""
    made = f"that {hit.generator} made by AI" if hit.generator else "made by AI"
    by = f", by {hit.generator}" if hit.generator else ""
    record = f" (record {hit.reference})" if hit.reference else ""
    same = _compares(hit) is Compared.BYTES
    return _finding(
        "generated",
        Direction.SYNTHETIC,
        Strength.CONCLUSIVE if same else Strength.STRONG,
        f"It {'is' if same else 'looks like'} a file {made} and registered in the generated "
        f"bank {hit.bank}{record} ({_how(hit)}): it is AI-generated{by}"
        f"{'' if same else ', or made from such a file'}.",
        hit,
        extra={"generator": hit.generator, "record_id": hit.reference},
    )


def _heard(hit: BankHit, where: str) -> Finding:
    """A sound or video match: the stretches that no longer match the registered file."""
    spans = hit.differing_seconds or ()
    details: dict[str, object] = {"differing_seconds": [list(span) for span in spans]}
    what = str(_compares(hit))
    if not spans:
        return _finding(
            f"same_{what}_as_authentic",
            Direction.AUTHENTIC,
            Strength.STRONG,
            f"Its {what} matches a file registered in {where} all through ({_how(hit)}).",
            hit,
            extra=details,
        )
    listed = ", ".join(f"{start:.1f} to {end:.1f} s" for start, end in spans)
    return _finding(
        f"altered_authentic_{what}",
        Direction.ALTERED,
        Strength.STRONG,
        f"It is an altered copy of a file registered in {where}: its {what} differs from "
        f"the original at {listed}, and matches it elsewhere.",
        hit,
        extra=details,
    )


def _compare(subject: AssessedFile, hit: BankHit) -> Comparison | None:
    if hit.original is None or subject.media.kind is not MediaKind.IMAGE:
        return None
    if min(subject.image().shape[:2]) < MIN_COMPARED_SIDE:
        return None  # too coarse to tell an edit from resampling
    try:
        original = decode_image(open_media(hit.original, subject.media.limits)).pixels
    except (MediaError, OSError):
        return None  # the original is gone or unreadable: say what can be said without it
    return compare(original, subject.image())


def _entry(hit: BankHit) -> str:
    return f" ({hit.reference})" if hit.reference else ""


def _how(hit: BankHit) -> str:
    if _compares(hit) is Compared.BYTES:
        return "the same bytes"
    return f"by {hit.signal_type}, distance {hit.distance:g}"


def _compares(hit: BankHit) -> Compared:
    """What the hit's signal compares; a picture for a name no signal type has (the
    registry's watermark)."""
    signal_type = signal_type_classes().get(hit.signal_type)
    return Compared.PICTURE if signal_type is None else signal_type.compares


def _finding(
    code: str,
    direction: Direction,
    strength: Strength,
    explanation: str,
    hit: BankHit,
    *,
    extra: dict[str, object] | None = None,
    figure: Figure | None = None,
) -> Finding:
    details: dict[str, object] = {
        "bank": hit.bank,
        "bank_kind": hit.kind,
        "reference": hit.reference,
        "signal_type": hit.signal_type,
        "distance": hit.distance,
        **(extra or {}),
    }
    return Finding(
        producer=BanksProducer.name,
        code=f"{BanksProducer.name}.{code}",
        direction=direction,
        strength=strength,
        explanation=explanation,
        limits=_LIMITS,
        details=details,
        figures=(figure,) if figure else (),
    )
