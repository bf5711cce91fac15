"""The contract every signal type passes, ours and third parties' alike.

Subclass ``SignalTypeContract`` in a test module, set ``signal_type`` and provide
``sample_media``: paths of real files of each kind the type takes::

    class TestPdqContract(SignalTypeContract):
        signal_type = Pdq
        sample_media = {MediaKind.IMAGE: Path("photo.jpg")}
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import ClassVar

from accord.errors import InvalidSignal
from accord.media.file import open_media
from accord.media.kinds import MediaKind
from accord.signals.base import SignalType, Subject

#: Strings no signal type should accept.
GARBAGE = ("", "   ", "zz", "not a signal", "0" * 3, "\x00\xff", "g" * 64)


class SignalTypeContract:
    signal_type: ClassVar[type[SignalType]]
    sample_media: ClassVar[dict[MediaKind, Path]]

    def test_name_is_a_stable_identifier(self) -> None:
        assert re.fullmatch(r"[a-z][a-z0-9_]{1,31}", self.signal_type.name)

    def test_declares_media_kinds_and_threshold(self) -> None:
        assert self.signal_type.media_kinds
        assert self.signal_type.media_kinds <= set(MediaKind)
        assert self.signal_type.threshold >= 0
        assert self.signal_type.description

    def test_examples_are_canonical(self) -> None:
        examples = list(self.signal_type.examples())
        assert len(examples) >= 2
        for example in examples:
            assert self.signal_type.validate(example) == example

    def test_distance_to_itself_is_zero(self) -> None:
        for example in self.signal_type.examples():
            assert self.signal_type.distance(example, example) == 0
            assert self.signal_type.matches(example, example)

    def test_distance_is_symmetric_and_not_negative(self) -> None:
        for a, b in itertools.combinations(self.signal_type.examples(), 2):
            forward = self.signal_type.distance(a, b)
            assert forward == self.signal_type.distance(b, a)
            assert forward >= 0

    def test_distinct_examples_are_apart(self) -> None:
        for a, b in itertools.combinations(self.signal_type.examples(), 2):
            assert self.signal_type.distance(a, b) > 0

    def test_garbage_is_refused(self) -> None:
        for garbage in GARBAGE:
            try:
                self.signal_type.validate(garbage)
            except InvalidSignal:
                continue
            msg = f"{self.signal_type.name} accepted {garbage!r}"
            raise AssertionError(msg)

    def test_computes_a_valid_signal_for_each_kind(self) -> None:
        assert set(self.sample_media) == set(self.signal_type.media_kinds)
        for path in self.sample_media.values():
            subject = Subject(open_media(path))
            signal_type = self.signal_type()
            assert signal_type.applies(subject)
            signal = signal_type.compute(subject)
            assert signal.type == self.signal_type.name
            assert self.signal_type.validate(signal.value) == signal.value
            assert self.signal_type.distance(signal.value, signal.value) == 0

    def test_computing_twice_gives_the_same_value(self) -> None:
        path = next(iter(self.sample_media.values()))
        first = self.signal_type().compute(Subject(open_media(path)))
        second = self.signal_type().compute(Subject(open_media(path)))
        assert first == second
