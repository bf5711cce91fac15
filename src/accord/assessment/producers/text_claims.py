"""What a post's text says: the caption a platform sends with a file, or a notice's
explanation, screened for false claims about voting and impersonations of election
authorities (``accord.claims.statements``), whatever the file is.

Like spoken claims, its findings are neutral: a caption that lies says nothing about
whether the file is genuine, but it is what a reviewer must read first. ``text_claims`` is
the one way text is screened, with a file (this producer) or without (a server's
``/v1/match``, a notice that names no file), and the one place its length is bounded.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord.assessment.evidence import AssessedFile, Finding, Producer
from accord.assessment.producers.claim_findings import claim_findings
from accord.claims.context import Context
from accord.claims.statements import Claim, find_claims, text_passages
from accord.media.kinds import MediaKind

_LIMITS = (
    "Checked against the elections registered here, on the words as written. A claim can be "
    "quoted to debunk or report it (a notice quotes the claim it reports): read the text "
    "before deciding. The classifier was fitted on prompts, not posts, so alone it only "
    "asks for a review."
)
#: What the explanations call the words, by where they came from.
# A notice describes the content it reports ("a robocall telling people the vote moved"):
# its claims are the content's as the notifier tells them, not the notifier's own.
_SUBJECTS = {
    "caption": "The caption",
    "notice": "The reported content, as the notice describes it,",
}


def text_claims(
    text: str, context: Context, *, said: str = "caption", classifier: bool = True
) -> list[Claim]:
    """The false claims about voting and impersonations of election authorities in
    ``text``, in the order written; none for blank text. ``said``: "caption" (the post's
    own words) or "notice" (a notifier's explanation), as explanations name it;
    ``classifier`` False: the rules only. Raises ``PayloadTooLarge`` beyond
    ``MAX_TEXT_CHARS`` characters, whoever sends it (the API, ``accord assess --text``)."""
    passages = text_passages(text)
    if not passages:
        return []
    subject = _SUBJECTS.get(said, "The text")
    return find_claims(passages, context, subject=subject, rules_only=not classifier)


class TextClaimsProducer(Producer):
    name = "text_claims"
    version = "1"
    media_kinds = frozenset({MediaKind.IMAGE, MediaKind.AUDIO, MediaKind.VIDEO})
    description = (
        "The text posted with the file (a caption, a notice's explanation), screened for false "
        "claims about voting and impersonations of election authorities"
    )

    def __init__(
        self,
        context: Context,
        *,
        classifier: bool = True,
        said: str = "caption",
        text: str | None = None,
    ) -> None:
        """``said``: where the words come from ("caption", "notice"); ``text``: the words
        to screen, when not the file's own (``AssessedFile.text``, its caption)."""
        self.context = context
        self.classifier = classifier
        self.said = said
        self.text = text

    def _words(self, subject: AssessedFile) -> str:
        return subject.text if self.text is None else self.text

    def applies(self, subject: AssessedFile) -> bool:
        return bool(self._words(subject).strip()) and super().applies(subject)

    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        claims = text_claims(
            self._words(subject), self.context, said=self.said, classifier=self.classifier
        )
        return claim_findings(self.name, claims, said=self.said, limits=_LIMITS)
