"""Every error accord raises on purpose, in one tree.

Callers catch the family they can handle; the API maps each class to one HTTP status and a
stable problem ``type`` in one place (``accord.server.problems``)::

    AccordError                      code "accord.error"
    ├── MediaError                   something is wrong with the input file
    │   ├── EmptyMedia               zero bytes
    │   ├── UnsupportedMedia         not an image, video or audio format accord reads
    │   ├── MediaTooLarge            breaks a configured limit (bytes, pixels, frames, ...)
    │   ├── CorruptMedia             truncated, malformed or hostile structure
    │   └── DecodeTimeout            a decode worker ran past its time and was stopped
    ├── SignalError
    │   ├── UnknownSignalType        no signal type has that name
    │   ├── InvalidSignal            a serialized signal value that does not parse
    │   └── SignalNotApplicable      the signal type does not take this kind of media
    ├── FetchError                   fetching media from a URL
    │   ├── HostNotAllowed           the URL's host is not on the allow-list
    │   └── FetchFailed              the remote answered badly, too slowly or too much
    ├── IndexFormatError             a stored index that cannot be read back
    ├── StixError                    a STIX object or TAXII answer a peer sent that accord refuses
    ├── CredentialError              a signing certificate chain or key c2pa would refuse
    ├── ReportError                  a report cannot be made (no Chromium to print a PDF)
    ├── BackupError                  a backup that cannot be made or restored (as it is)
    ├── DetectorError                a learned detector or its model card cannot be used
    ├── ProducerUnavailable          an evidence producer cannot run here
    │   ├── LikenessUnavailable      the likeness models are not installed
    │   └── SpeechUnavailable        no speech recognition (extra missing, language unknown)
    ├── ServerBusy                   this process decodes all it can hold: try again later
    └── RequestError                 a service request that cannot be served
        ├── NotFound                 no such resource
        ├── Conflict                 the resource already exists or changed meanwhile
        ├── LikenessRefused          generated output resembles a protected person
        ├── PayloadTooLarge          the request body is over the upload limit
        ├── BadRequest               a request missing a part or mixing options wrongly
        ├── Unauthorized             no API key, or one that is unknown or revoked
        │   ├── NotSignedIn          no sign-in session, or one that has ended
        │   ├── WrongCredentials     signing in with a wrong email or password
        │   ├── SecondFactorRequired the password was right; the authenticator's code is due
        │   ├── WrongCode            a wrong, used or expired authenticator or recovery code
        │   └── CsrfRefused          a change without its session's CSRF token
        ├── Forbidden                the caller may not do this (their role, or not theirs)
        │   ├── MissingScope         the API key lacks the scope the request needs
        │   └── EnrolmentRequired    the role needs a second factor, and none is set up
        └── RateLimited              the API key spent its request allowance

Every class carries ``code``: a short, stable, dotted identifier for logs and APIs.
"""

from __future__ import annotations

from typing import ClassVar


class AccordError(Exception):
    """Root of every error accord raises on purpose."""

    code: ClassVar[str] = "accord.error"
    title: ClassVar[str] = "accord error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class MediaError(AccordError):
    code = "media.error"
    title = "Media cannot be processed"


class EmptyMedia(MediaError):
    code = "media.empty"
    title = "Empty file"


class UnsupportedMedia(MediaError):
    code = "media.unsupported"
    title = "Unsupported media type"


class MediaTooLarge(MediaError):
    code = "media.too_large"
    title = "Media exceeds a limit"


class CorruptMedia(MediaError):
    code = "media.corrupt"
    title = "Corrupt or truncated media"


class DecodeTimeout(MediaError):
    """A decoder stuck inside one FFmpeg or Pillow call: its worker process was killed
    (``accord.signals.sandbox``)."""

    code = "media.decode_timeout"
    title = "Decoding took too long"


class SignalError(AccordError):
    code = "signal.error"
    title = "Signal error"


class UnknownSignalType(SignalError):
    code = "signal.unknown_type"
    title = "Unknown signal type"


class InvalidSignal(SignalError):
    code = "signal.invalid"
    title = "Invalid signal value"


class SignalNotApplicable(SignalError):
    code = "signal.not_applicable"
    title = "Signal type does not apply to this media"


class FetchError(AccordError):
    code = "fetch.error"
    title = "Fetching media failed"


class HostNotAllowed(FetchError):
    code = "fetch.host_not_allowed"
    title = "Host not allowed"


class FetchFailed(FetchError):
    code = "fetch.failed"
    title = "Fetching media failed"


class IndexFormatError(AccordError):
    code = "index.format"
    title = "Stored index cannot be read"


class StixError(AccordError):
    """A shared object that is not the STIX 2.1 accord reads: wrong type, missing or
    malformed properties, a pattern it does not speak, or over a size limit."""

    code = "sharing.invalid_stix"
    title = "Invalid STIX object"


class CredentialError(AccordError):
    code = "credential.invalid"
    title = "Signing credentials unusable"


class ReportError(AccordError):
    code = "report.failed"
    title = "The report cannot be made"


class BackupError(AccordError):
    """``accord backup`` or ``accord restore`` refused, naming why: a folder not empty, a
    part that does not match the manifest, another master key, a database tool missing."""

    code = "backup.refused"
    title = "The backup cannot be made or restored"


class DetectorError(AccordError):
    code = "detector.unusable"
    title = "A learned detector cannot be used"


class ProducerUnavailable(AccordError):
    """An evidence producer cannot run here (an optional part is not installed)."""

    code = "producer.unavailable"
    title = "An evidence producer cannot run"


class LikenessUnavailable(ProducerUnavailable):
    code = "likeness.unavailable"
    title = "Likeness models are not installed"


class SpeechUnavailable(ProducerUnavailable):
    """Speech recognition cannot run here: the ``speech`` extra is not installed, or the
    engine does not know the language."""

    code = "speech.unavailable"
    title = "Speech recognition is unavailable"


class VoiceNotFound(AccordError):
    """A reference clip of a protected person must hold enough of their speech."""

    code = "likeness.voice_not_found"
    title = "The clip does not hold enough speech"


class FaceNotFound(AccordError):
    """A reference photo of a protected person must show exactly one face."""

    code = "likeness.face_not_found"
    title = "The photo does not show one clear face"


class ServerBusy(AccordError):
    """The decoding lane a file needs, or the memory its decoding would take, stayed taken
    for as long as a request may wait (``accord.server.decoding``); the client retries
    after ``retry_after_seconds``."""

    code = "server.busy"
    title = "The server is busy"

    def __init__(self, detail: str, retry_after_seconds: float) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class RequestError(AccordError):
    code = "request.error"
    title = "Bad request"


class NotFound(RequestError):
    code = "request.not_found"
    title = "Not found"


class PayloadTooLarge(RequestError):
    code = "request.too_large"
    title = "Request body too large"


class BadRequest(RequestError):
    code = "request.bad"
    title = "Bad request"


class InvalidFields(BadRequest):
    """A request wrong in several ways at once, each listed: a form shows them all, so
    nobody fixes one field per try."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class Conflict(RequestError):
    code = "request.conflict"
    title = "Conflict"


class LikenessRefused(RequestError):
    """The generation-safety gate refuses to stamp a generated file: a face or voice in it
    resembles a registered protected person. The detail names whom."""

    code = "guard.likeness_refused"
    title = "Resembles a protected person"


class Unauthorized(RequestError):
    code = "auth.unauthorized"
    title = "Missing or invalid API key"


class NotSignedIn(Unauthorized):
    """Session authentication (pages and browser calls), not API keys."""

    code = "auth.not_signed_in"
    title = "Not signed in"


class WrongCredentials(Unauthorized):
    """The same for a wrong email and a wrong password, so neither is told apart."""

    code = "auth.wrong_credentials"
    title = "Wrong email or password"


class SecondFactorRequired(Unauthorized):
    """Signing in to an account with a second factor, without its code."""

    code = "auth.second_factor_required"
    title = "The code from the authenticator app is needed"


class WrongCode(Unauthorized):
    code = "auth.wrong_code"
    title = "Wrong code"


class CsrfRefused(Unauthorized):
    code = "auth.csrf"
    title = "Missing or wrong CSRF token"


class Forbidden(RequestError):
    code = "auth.forbidden"
    title = "Not allowed"


class MissingScope(Forbidden):
    """An API key's refusal; the code stays ``auth.forbidden``, which clients switch on."""

    title = "API key lacks a scope"


class EnrolmentRequired(Forbidden):
    """A signed-in person whose role needs a second factor has not set one up yet."""

    code = "auth.second_factor_enrolment_required"
    title = "Set up a second factor first"


class RateLimited(RequestError):
    code = "auth.rate_limited"
    title = "Too many requests"

    def __init__(self, detail: str, retry_after_seconds: float) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class AccountLocked(RateLimited):
    """Too many wrong passwords in a row: the account waits before the next try."""

    code = "auth.account_locked"
    title = "The account is locked for a while"
