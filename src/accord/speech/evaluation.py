"""Measure speech recognition and the claims found in what it hears, on a labelled set of
sentences read by espeak-ng under degrading conditions.

The set (``data/eval_set.jsonl``, one JSON object a line)::

    {"id": "en-lie-01", "language": "en", "text": "...", "label": "lie",
     "category": "voting_process"}

``label`` is ``lie`` (a false claim about voting, or an official's voice announcing one,
contradicting the set's context: the red-team context, Belgian local elections on Sunday
13 October 2024) or ``ordinary`` (election speech that is true: the real polling day,
campaign promises, results, and debunking, which is no claim); ``category`` is the lie's
category, null for ordinary speech.

For every sentence, condition and engine: espeak-ng reads it, the condition degrades it,
the engine transcribes it (Whisper detects the language among the four, where the server
narrows the candidates to the elections' languages; pocketsphinx, which knows English
only, is told it is English), and the claims are looked for in the transcript's segments.
Figures per engine, language and condition:

- WER: total word edits over total reference words (``accord.speech.wer``);
- language: the share of clips transcribed in the sentence's language;
- claims: a lie with at least one claim found is a true positive, a lie with none a false
  negative, an ordinary sentence with a claim a false positive; precision and recall; and
  the same counting strong claims only (blocks: only a rule gives one, where nothing
  around the claim undoes it; every read of the classifier is a review), since a review
  only asks a person to look;
- RTF: seconds spent transcribing over seconds of audio (decode and language detection
  included; the engine's own thread setting).

The same claims figures on the sentences' text (no speech recognition) are the upper bound
the transcripts are measured against. The speech is synthetic: real voices, accents,
crosstalk and studio music are harder, and none of that is measured here.

Claims are found by the claims layer (``screening_for``); a test may hand in another
``Screening``.
"""

from __future__ import annotations

import json
import tempfile
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.claims.context import Context
from accord.claims.spoken import prompts_for
from accord.claims.statements import Passage, find_claims, text_passages
from accord.claims.verdicts import LANGUAGES, Category
from accord.errors import AccordError, BadRequest
from accord.media.file import open_media
from accord.speech.engines import ENGINES
from accord.speech.synthetic import CONDITIONS, apply_condition, load_speech, speak, write_wav
from accord.speech.transcribe import transcribe
from accord.speech.transcript import Segment
from accord.speech.wer import WordErrors, word_errors

if TYPE_CHECKING:
    from accord.speech.engines import SpeechEngine

SHIPPED_SET = Path(__file__).parent / "data" / "eval_set.jsonl"
LABELS = ("lie", "ordinary")
#: espeak-ng variants the sentences are read with, in turn. One: the variants ("m3", "f3")
#: garble espeak-ng's Dutch and German further (a sentence's WER up by 0.1-0.4), which
#: measures the synthesiser, not the pipeline.
VOICE_VARIANTS = ("",)
#: The label of the rows that add up every language.
ALL = "all"

#: A lie's categories. (The set's languages are ``accord.claims.verdicts.LANGUAGES``, those
#: the claims rules read; its engines ``accord.speech.engines.ENGINES``.)
CATEGORIES = (Category.VOTING_PROCESS.value, Category.OFFICIAL_IMPERSONATION.value)


@dataclass(frozen=True, slots=True)
class Screening:
    """How claims are found, handed in from the claims layer. A claim is its JSON
    (``accord.claims.statements.Claim.to_json``): at least ``category``."""

    #: (a transcript's segments, its language if one the rules read) -> the claims.
    spoken: Callable[[Sequence[Segment], str | None], list[dict[str, Any]]]
    #: (a text, its language) -> the claims.
    written: Callable[[str, str], list[dict[str, Any]]]
    #: Speech recognition prompts by language (names, election words).
    prompts: Mapping[str, str]
    #: The context screened against, in a line for the headline.
    context: str


@dataclass(frozen=True, slots=True)
class Sentence:
    id: str
    language: str
    text: str
    label: str
    #: The lie's category; None for ordinary speech.
    category: str | None

    @property
    def lie(self) -> bool:
        return self.label == "lie"


@dataclass(frozen=True, slots=True)
class Heard:
    """One sentence under one condition, as one engine heard it."""

    sentence: Sentence
    engine: str
    condition: str
    #: What the engine wrote, and in which language.
    text: str
    language: str
    errors: WordErrors
    claims: tuple[dict[str, Any], ...]
    audio_seconds: float
    transcribe_seconds: float


@dataclass(slots=True)
class ClaimTally:
    """Claims found against the labels: a lie with a claim is a true positive."""

    true_positives: int = 0
    false_negatives: int = 0
    false_positives: int = 0
    true_negatives: int = 0

    def add(self, lie: bool, found: bool) -> None:
        if lie:
            self.true_positives += found
            self.false_negatives += not found
        else:
            self.false_positives += found
            self.true_negatives += not found

    @property
    def precision(self) -> float | None:
        return _ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float | None:
        return _ratio(self.true_positives, self.true_positives + self.false_negatives)

    def to_json(self) -> dict[str, Any]:
        return {
            "true_positives": self.true_positives,
            "false_negatives": self.false_negatives,
            "false_positives": self.false_positives,
            "true_negatives": self.true_negatives,
            "precision": _rounded(self.precision),
            "recall": _rounded(self.recall),
        }


@dataclass(slots=True)
class Cell:
    """The figures of one engine, language (or ``all``) and condition."""

    clips: int = 0
    errors: WordErrors = field(default_factory=WordErrors)
    language_right: int = 0
    claims: ClaimTally = field(default_factory=ClaimTally)
    #: Counting strong claims (blocks) only.
    strong: ClaimTally = field(default_factory=ClaimTally)
    audio_seconds: float = 0.0
    transcribe_seconds: float = 0.0

    def add(self, heard: Heard) -> None:
        self.clips += 1
        self.errors += heard.errors
        self.language_right += heard.language == heard.sentence.language
        self.claims.add(heard.sentence.lie, bool(heard.claims))
        self.strong.add(heard.sentence.lie, _any_strong(heard.claims))
        self.audio_seconds += heard.audio_seconds
        self.transcribe_seconds += heard.transcribe_seconds

    @property
    def rtf(self) -> float | None:
        return _ratio(self.transcribe_seconds, self.audio_seconds)

    @property
    def language_share(self) -> float | None:
        return _ratio(self.language_right, self.clips)

    def to_json(self) -> dict[str, Any]:
        return {
            "clips": self.clips,
            "wer": round(self.errors.rate, 4),
            "word_errors": {
                "substitutions": self.errors.substitutions,
                "deletions": self.errors.deletions,
                "insertions": self.errors.insertions,
                "reference_words": self.errors.reference_words,
            },
            "language_right": _rounded(self.language_share),
            "claims": self.claims.to_json(),
            "strong_claims": self.strong.to_json(),
            "audio_seconds": round(self.audio_seconds, 2),
            "transcribe_seconds": round(self.transcribe_seconds, 2),
            "rtf": _rounded(self.rtf),
        }


@dataclass(frozen=True, slots=True)
class SpeechEvaluation:
    sentences: tuple[Sentence, ...]
    #: (engine, language or ALL, condition) -> figures, in the order of the table.
    cells: dict[tuple[str, str, str], Cell]
    #: language or ALL -> claims found on the sentences' text.
    reference: dict[str, ClaimTally]
    #: The same, counting strong claims (blocks) only.
    reference_strong: dict[str, ClaimTally]
    heard: tuple[Heard, ...]
    #: sentence id -> the claims found in its text.
    reference_claims: dict[str, tuple[dict[str, Any], ...]]
    context_line: str

    def to_json(self) -> dict[str, Any]:
        by_engine: dict[str, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
        for (engine, language, condition), cell in self.cells.items():
            by_engine[engine][language][condition] = cell.to_json()
        return {
            "speech": "synthetic (espeak-ng), not real speech",
            "context": self.context_line,
            "sentences": _counts(self.sentences),
            "engines": {engine: dict(languages) for engine, languages in by_engine.items()},
            "reference_text": {name: tally.to_json() for name, tally in self.reference.items()},
            "reference_text_strong": {
                name: tally.to_json() for name, tally in self.reference_strong.items()
            },
            "clips": [_heard_json(heard) for heard in self.heard],
            "reference_claims": {key: list(c) for key, c in self.reference_claims.items()},
        }


def load_set(path: Path = SHIPPED_SET) -> list[Sentence]:
    """The sentences of the set at ``path``. Raises ``BadRequest`` naming the first bad line."""
    sentences = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                sentences.append(_sentence(json.loads(line)))
            except (ValueError, TypeError, KeyError, BadRequest) as error:
                raise BadRequest(f"{path}, line {number}: {_message(error)}") from None
    return sentences


def select(
    sentences: Iterable[Sentence],
    *,
    languages: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[Sentence]:
    """The sentences in ``languages`` (all if None), at most ``limit`` per language, taken
    lie and ordinary in turn so that a slice keeps both labels."""
    by_language: dict[str, dict[str, list[Sentence]]] = defaultdict(lambda: defaultdict(list))
    for sentence in sentences:
        if languages is None or sentence.language in languages:
            by_language[sentence.language][sentence.label].append(sentence)
    chosen: list[Sentence] = []
    for language in sorted(by_language, key=_language_rank):
        labelled = by_language[language]
        turns = [s for pair in _zip_longest(labelled["lie"], labelled["ordinary"]) for s in pair]
        chosen.extend(turns[:limit] if limit is not None else turns)
    return chosen


def evaluate_speech(
    sentences: Sequence[Sentence],
    screening: Screening,
    *,
    engines: Sequence[str] = ENGINES,
    conditions: Sequence[str] = CONDITIONS,
    load: Callable[[str], SpeechEngine] | None = None,
    progress: Callable[[str], None] | None = None,
) -> SpeechEvaluation:
    """Synthesise, degrade, transcribe and screen every sentence; see the module's doc.

    ``screening`` finds the claims; ``load`` defaults to ``accord.speech.engines.load_engine``.
    Clips live in a temporary folder for this run."""
    for condition in conditions:
        if condition not in CONDITIONS:
            raise BadRequest(f"unknown condition {condition!r}; known: {', '.join(CONDITIONS)}")
    loaded = {name: (load or _load_engine)(name) for name in engines}
    reference_claims = {s.id: tuple(screening.written(s.text, s.language)) for s in sentences}
    heard: list[Heard] = []
    with tempfile.TemporaryDirectory(prefix="accord-speech-eval-") as scratch:
        folder = Path(scratch)
        for index, sentence in enumerate(sentences):
            users = [e for e in loaded.values() if _speaks(e, sentence.language)]
            if not users:
                continue
            spoken = speak(
                sentence.text,
                sentence.language,
                folder / f"{sentence.id}.wav",
                voice_variant=VOICE_VARIANTS[index % len(VOICE_VARIANTS)],
            )
            clean = load_speech(spoken)
            for condition in conditions:
                clip = apply_condition(clean, condition, seed=zlib.crc32(sentence.id.encode()))
                path = write_wav(clip, folder / f"{sentence.id}-{condition}.wav")
                for engine in users:
                    one = _hear(
                        sentence,
                        condition,
                        engine,
                        path=path,
                        seconds=clip.duration,
                        screening=screening,
                    )
                    heard.append(one)
                    if progress is not None:
                        progress(_progress_line(one))
    return SpeechEvaluation(
        sentences=tuple(sentences),
        cells=_cells(heard, engines, conditions),
        reference=_reference(sentences, reference_claims),
        reference_strong=_reference(sentences, reference_claims, strong=True),
        heard=tuple(heard),
        reference_claims=reference_claims,
        context_line=screening.context,
    )


def combine(parts: Sequence[SpeechEvaluation]) -> SpeechEvaluation:
    """One evaluation from runs over parts of the set (e.g. a process per language, to use
    every core), its figures counted again over all the clips."""
    if not parts:
        raise ValueError("nothing to combine")
    heard = [one for part in parts for one in part.heard]
    sentences = [sentence for part in parts for sentence in part.sentences]
    claims = {key: c for part in parts for key, c in part.reference_claims.items()}
    engines = list(dict.fromkeys(engine for part in parts for engine, _, _ in part.cells))
    conditions = list(dict.fromkeys(condition for part in parts for _, _, condition in part.cells))
    return SpeechEvaluation(
        sentences=tuple(sentences),
        cells=_cells(heard, engines, conditions),
        reference=_reference(sentences, claims),
        reference_strong=_reference(sentences, claims, strong=True),
        heard=tuple(heard),
        reference_claims=claims,
        context_line=parts[0].context_line,
    )


def format_table(evaluation: SpeechEvaluation) -> str:
    """The figures as markdown: a headline, a table per engine, the text's upper bound."""
    counts = ", ".join(f"{lang} {n}" for lang, n in _counts(evaluation.sentences).items())
    lines = [
        "**Synthetic speech (espeak-ng), not real speech.** Real voices, accents, crosstalk "
        "and music are harder; these figures are an upper bound on what a real recording gets.",
        "",
        f"{len(evaluation.sentences)} sentences ({counts}); {evaluation.context_line}.",
        "",
        "| engine | language | condition | clips | WER | language right | claim precision "
        "| claim recall | TP | FP | FN | strong precision | strong recall | RTF |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (engine, language, condition), cell in evaluation.cells.items():
        tally, strong = cell.claims, cell.strong
        lines.append(
            f"| {engine} | {language} | {condition} | {cell.clips} | {cell.errors.rate:.3f} "
            f"| {_share(cell.language_share)} | {_share(tally.precision)} "
            f"| {_share(tally.recall)} | {tally.true_positives} | {tally.false_positives} "
            f"| {tally.false_negatives} | {_share(strong.precision)} | {_share(strong.recall)} "
            f"| {_share(cell.rtf, 3)} |"
        )
    lines += [
        "",
        "Claims found on the sentences' text (no speech recognition: the upper bound)",
        "",
        "| language | sentences | claim precision | claim recall | TP | FP | FN "
        "| strong precision | strong recall |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for language, tally in evaluation.reference.items():
        strong = evaluation.reference_strong[language]
        sentences = (
            tally.true_positives
            + tally.false_positives
            + tally.false_negatives
            + tally.true_negatives
        )
        lines.append(
            f"| {language} | {sentences} | {_share(tally.precision)} | {_share(tally.recall)} "
            f"| {tally.true_positives} | {tally.false_positives} | {tally.false_negatives} "
            f"| {_share(strong.precision)} | {_share(strong.recall)} |"
        )
    return "\n".join(lines)


# -- one clip ------------------------------------------------------------------------------


def _hear(
    sentence: Sentence,
    condition: str,
    engine: SpeechEngine,
    *,
    path: Path,
    seconds: float,
    screening: Screening,
) -> Heard:
    # An engine that knows every language of the set (Whisper) detects which it hears; one
    # that knows fewer (pocketsphinx: English) is told.
    language = None if _knows_all(engine) else sentence.language
    started = time.perf_counter()
    transcript = transcribe(
        open_media(path),
        engine,
        language=language,
        candidates=LANGUAGES,
        prompts=screening.prompts,
    )
    took = time.perf_counter() - started
    segments = [segment for segment in transcript.segments if segment.text.strip()]
    heard_language = transcript.language if transcript.language in LANGUAGES else None
    claims = screening.spoken(segments, heard_language) if segments else []
    return Heard(
        sentence=sentence,
        engine=engine.name,
        condition=condition,
        text=transcript.text,
        language=transcript.language,
        errors=word_errors(sentence.text, transcript.text),
        claims=tuple(claims),
        audio_seconds=seconds,
        transcribe_seconds=took,
    )


def _speaks(engine: SpeechEngine, language: str) -> bool:
    return engine.languages is None or language in engine.languages


def _knows_all(engine: SpeechEngine) -> bool:
    return engine.languages is None or set(LANGUAGES) <= set(engine.languages)


def _load_engine(name: str) -> SpeechEngine:
    from accord.speech.engines import load_engine  # noqa: PLC0415

    return load_engine(name)


# -- adding up -----------------------------------------------------------------------------


def _cells(
    heard: Sequence[Heard], engines: Sequence[str], conditions: Sequence[str]
) -> dict[tuple[str, str, str], Cell]:
    cells: dict[tuple[str, str, str], Cell] = defaultdict(Cell)
    for one in heard:
        for language in (one.sentence.language, ALL):
            cells[one.engine, language, one.condition].add(one)

    def order(key: tuple[str, str, str]) -> tuple[int, tuple[int, str], int]:
        engine, language, condition = key
        return (_index(engine, engines), _language_rank(language), _index(condition, conditions))

    # An engine heard one language only (pocketsphinx): its "all" rows repeat it; drop them.
    languages: dict[str, set[str]] = defaultdict(set)
    for engine, language, _ in cells:
        languages[engine].add(language)
    return {
        key: cells[key]
        for key in sorted(cells, key=order)
        if not (key[1] == ALL and len(languages[key[0]]) == 2)  # noqa: PLR2004 - one + ALL
    }


def _reference(
    sentences: Sequence[Sentence],
    claims: Mapping[str, tuple[dict[str, Any], ...]],
    *,
    strong: bool = False,
) -> dict[str, ClaimTally]:
    tallies: dict[str, ClaimTally] = defaultdict(ClaimTally)
    for sentence in sentences:
        found = claims[sentence.id]
        for language in (sentence.language, ALL):
            tallies[language].add(sentence.lie, _any_strong(found) if strong else bool(found))
    return dict(sorted(tallies.items(), key=lambda item: _language_rank(item[0])))


def _any_strong(claims: Iterable[Mapping[str, Any]]) -> bool:
    return any(claim.get("verdict") == "block" for claim in claims)


def _counts(sentences: Iterable[Sentence]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for sentence in sentences:
        counts[sentence.language] += 1
    return dict(sorted(counts.items(), key=lambda item: _language_rank(item[0])))


# -- small pieces --------------------------------------------------------------------------


def _sentence(record: Any) -> Sentence:
    if not isinstance(record, dict):
        raise BadRequest("a line must hold a JSON object")
    values = {name: record.get(name) for name in ("id", "language", "text", "label")}
    for name, value in values.items():
        if not isinstance(value, str) or not value.strip():
            raise BadRequest(f"'{name}' must be a non-empty string")
    category = record.get("category")
    categories = set(CATEGORIES)
    if values["label"] not in LABELS:
        raise BadRequest(f"'label' is {values['label']!r}; it must be lie or ordinary")
    if values["language"] not in LANGUAGES:
        raise BadRequest(f"'language' is {values['language']!r}; known: {', '.join(LANGUAGES)}")
    if (values["label"] == "lie") != (category in categories) or (
        category is not None and category not in categories
    ):
        raise BadRequest("a lie names its category (voting_process, official_impersonation)")
    return Sentence(
        id=str(values["id"]),
        language=str(values["language"]),
        text=str(values["text"]),
        label=str(values["label"]),
        category=category,
    )


def _message(error: Exception) -> str:
    if isinstance(error, AccordError):
        return error.detail
    if isinstance(error, json.JSONDecodeError):
        return f"not JSON: {error.msg}"
    return str(error)


def _zip_longest(
    first: Sequence[Sentence], second: Sequence[Sentence]
) -> Iterator[tuple[Sentence, ...]]:
    for index in range(max(len(first), len(second))):
        yield tuple(seq[index] for seq in (first, second) if index < len(seq))


def _language_rank(language: str) -> tuple[int, str]:
    if language == ALL:
        return (len(LANGUAGES) + 1, language)
    return (_index(language, LANGUAGES), language)


def _index(name: str, order: Sequence[str]) -> int:
    return order.index(name) if name in order else len(order)


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _share(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _progress_line(heard: Heard) -> str:
    found = ", ".join(str(claim["category"]) for claim in heard.claims) or "no claim"
    return (
        f"{heard.sentence.id} {heard.condition} {heard.engine}: WER {heard.errors.rate:.2f}, "
        f"{found} [{heard.language}] {heard.text}"
    )


def _heard_json(heard: Heard) -> dict[str, Any]:
    return {
        "id": heard.sentence.id,
        "label": heard.sentence.label,
        "engine": heard.engine,
        "condition": heard.condition,
        "language": heard.language,
        "text": heard.text,
        "wer": round(heard.errors.rate, 4),
        "claims": list(heard.claims),
        "audio_seconds": round(heard.audio_seconds, 2),
        "transcribe_seconds": round(heard.transcribe_seconds, 3),
    }


def screening_for(context: Context) -> Screening:
    """The claims layer's screening against ``context``: claims in a transcript's segments
    (read as a recogniser's) and in a text, and the recognition prompts."""

    def spoken(segments: Sequence[Segment], language: str | None) -> list[dict[str, Any]]:
        passages = [Passage(s.text, s.start, s.end) for s in segments]
        claims = find_claims(
            passages, context, language=language, subject="The recording", transcribed=True
        )
        return [claim.to_json() for claim in claims]

    def written(text: str, language: str) -> list[dict[str, Any]]:
        claims = find_claims(text_passages(text), context, language=language, subject="The text")
        return [claim.to_json() for claim in claims]

    elections = "; ".join(
        f"{e.name}, polling day {e.polling_date:%A} {e.polling_date.isoformat()}"
        for e in context.elections
    )
    return Screening(
        spoken=spoken,
        written=written,
        prompts=prompts_for(context),
        context=f"context: {elections or 'no elections'}, as on {context.today.isoformat()}",
    )
