"""Which registered protected people a prompt names: by name or alias, by the surname alone
when it is distinctive, misspelt (a small edit distance on words of five letters or more),
by initial and surname ("J. Peeters"), or by role and place ("the Ghent mayor candidate",
"de burgemeesterskandidaat van Gent", "le candidat bourgmestre de Gand").

The per-instance part (names, misspelling index, roles and places) is built once per
``Context`` and cached: the server hands the same Context for every prompt.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate

from accord.claims import lexicon
from accord.claims.context import Context, Person
from accord.claims.matching import Span, Trigger, any_of, word_range, words
from accord.claims.text import Text, fold, quote

#: Words shorter than this are never matched as misspellings ("Jan" is not "Jon").
FUZZY_MIN = 5
#: Words this long may be two edits off ("Peetersen"); shorter ones one.
FUZZY_TWO = 9
#: Surnames shorter than this are not matched alone ("Li", "Bos").
SURNAME_MIN = 4
#: Words between a role and a place for "the Ghent mayor candidate" to name someone.
ROLE_REACH = 5
#: Names this long (spaces left out) are looked for in the prompt's words run together.
SQUASHED_MIN = 8


@dataclass(frozen=True, slots=True)
class Named:
    """A protected person the prompt names, and how."""

    person: Person
    #: The words of the prompt that name them.
    said: str
    #: "name", "misspelling" or "role".
    how: str

    @property
    def evidence(self) -> str:
        sign = "=" if self.how == "name" else "≈"
        return f"'{self.said}' {sign} {describe(self.person)}"


def describe(person: Person) -> str:
    about = ", ".join(part for part in (person.role, person.constituency) if part)
    return f"{person.name} ({about})" if about else person.name


def named_people(text: Text, context: Context) -> list[Named]:
    """Every protected person the prompt names, each once, in the order found."""
    if not context.people:
        return []
    if _named_last and _named_last[0][0] is text and _named_last[0][1] is context:
        return list(_named_last[0][2])  # rule_reasons and on_topic ask one after the other
    index = people_index(context)
    found: dict[str, Named] = {}
    for named in (
        *index.by_name(text),
        *index.by_misspelling(text),
        *index.by_run_together(text),
        *index.by_role(text),
    ):
        found.setdefault(named.person.id, named)
    _named_last[:] = [(text, context, list(found.values()))]
    return list(found.values())


_named_last: list[tuple[Text, Context, list[Named]]] = []


@dataclass(frozen=True, slots=True)
class _Role:
    roles: frozenset[str]
    head: str
    place: str


class PeopleIndex:
    """Everything about one Context's people that matching needs, precomputed."""

    def __init__(self, people: tuple[Person, ...]) -> None:
        self._phrases: dict[str, Person] = {}
        for person in people:
            for phrase in _phrases(person):
                self._phrases.setdefault(phrase, person)
        escaped = [re.escape(phrase) for phrase in self._phrases]
        self._names = re.compile(words(escaped))
        self._names_trigger = Trigger(escaped)
        # Full names with the spaces taken out, found in the prompt's words run together:
        # "F a t i m a  E l  A m r a n i", "Fatima Elamrani", "Jan-Peeters".
        self._squashed: dict[str, Person] = {}
        for phrase, person in self._phrases.items():
            squashed = phrase.replace(" ", "")
            if len(squashed) >= SQUASHED_MIN and phrase.count(" ") >= 1:
                self._squashed.setdefault(squashed, person)
        self._run_together = (
            re.compile(any_of(re.escape(squashed) for squashed in self._squashed))
            if self._squashed
            else None
        )
        # A word one edit from a name of five letters or more keeps its first two or its
        # last two letters: candidates are looked up by those, then measured.
        self._fuzzy: dict[str, list[tuple[str, Person]]] = {}
        for person in people:
            target = _surname(person).rsplit(" ", 1)[-1]
            if len(target) >= FUZZY_MIN and target not in _common_words():
                for key in {"<" + target[:2], target[-2:] + ">"}:
                    self._fuzzy.setdefault(key, []).append((target, person))
        # People with a role and a place, by the place's group name in ``_places``.
        self._roles: dict[str, list[tuple[Person, _Role]]] = {}
        for person in people:
            if (role := _role_of(person)) is not None:
                self._roles.setdefault(_group(role.place), []).append((person, role))
        self._places = (
            re.compile(
                "|".join(
                    rf"(?P<{group}>{_place_words(roles[0][1].place)})"
                    for group, roles in self._roles.items()
                )
            )
            if self._roles
            else None
        )
        self._places_trigger = Trigger(
            *(
                lexicon.PLACES.get(roles[0][1].place, (roles[0][1].place,))
                for roles in self._roles.values()
            )
        )

    def by_name(self, text: Text) -> Iterator[Named]:
        if not self._names_trigger.met(text):
            return
        for match in self._names.finditer(text.folded):
            said = quote(text, match.start(), match.end())
            yield Named(self._phrases[match.group(0)], said, "name")

    def by_misspelling(self, text: Text) -> Iterator[Named]:
        if not self._fuzzy:
            return
        for position, word in enumerate(text.words):
            if len(word) < FUZZY_MIN or word in _common_words():
                continue
            for target, person in self._candidates(word):
                if word != target and _close(word, target, _allowed(target)):
                    start = sum(len(earlier) + 1 for earlier in text.words[:position])
                    yield Named(person, quote(text, start, start + len(word)), "misspelling")

    def by_run_together(self, text: Text) -> Iterator[Named]:
        if self._run_together is None:
            return
        squashed = "".join(text.words)
        for match in self._run_together.finditer(squashed):
            ends = list(accumulate(len(word) for word in text.words))
            first = bisect_right(ends, match.start())
            last = bisect_left(ends, match.end())
            if first == last:
                continue  # one word of the prompt: by_name and by_misspelling look at those
            yield Named(self._squashed[match.group(0)], _words(text, [first, last]), "name")

    def by_role(self, text: Text) -> Iterator[Named]:
        if self._places is None or not self._places_trigger.met(text):
            return
        place_hits = [(match, match.lastgroup) for match in self._places.finditer(text.folded)]
        if not place_hits:
            return
        for match, group in place_hits:
            where = word_range(text, Span(match.start(), match.end()))[0]
            low = max(0, where - ROLE_REACH)
            window = " ".join(text.words[low : where + ROLE_REACH + 1])
            near = [(low + index, role) for index, role in _role_mentions_in(window)]
            mentioned = {role for _, role in near}
            for person, role in self._roles.get(group or "", ()):
                if _fits(role, mentioned):
                    indices = [where, *(index for index, _ in near)]
                    yield Named(person, _words(text, indices), "role")

    def _candidates(self, word: str) -> Iterator[tuple[str, Person]]:
        seen: set[str] = set()
        for key in ("<" + word[:2], word[-2:] + ">"):
            for target, person in self._fuzzy.get(key, ()):
                if person.id not in seen and abs(len(word) - len(target)) <= _allowed(target):
                    seen.add(person.id)
                    yield target, person


def people_index(context: Context) -> PeopleIndex:
    """The index for ``context``'s people: the same object when the same Context (or an
    equal one) comes again."""
    if _last and _last[0][0] is context:
        return _last[0][1]
    index = _index_for(context.people)
    _last[:] = [(context, index)]
    return index


#: The Context used last and its index: the common case costs no hashing of the Context.
_last: list[tuple[Context, PeopleIndex]] = []


@lru_cache(maxsize=16)
def _index_for(people: tuple[Person, ...]) -> PeopleIndex:
    return PeopleIndex(people)


def _phrases(person: Person) -> Iterator[str]:
    """The folded phrases that name ``person`` outright."""
    name = fold(person.name)
    first, _, _ = name.partition(" ")
    surname = _surname(person)
    yield name
    yield name.replace(" ", "")  # "JanPeeters", "#janpeeters"
    for alias in person.aliases:
        if fold(alias):
            yield fold(alias)
    if surname and surname != name:
        yield f"{first[0]} {surname}"
        if len(surname) >= SURNAME_MIN and surname not in _common_words():
            yield surname


def _surname(person: Person) -> str:
    """Everything after the first name ("El Amrani", "De Wever"): what "J. ..." initials
    precede and a misspelling is looked for in."""
    parts = fold(person.name).split(" ", 1)
    return parts[1] if len(parts) > 1 else parts[0]


def _role_of(person: Person) -> _Role | None:
    if not person.role or not person.constituency:
        return None
    roles = set(_roles_in(fold(person.role)))
    if not roles:
        return None
    head = next(role for role in lexicon.HEAD_ROLES if role in roles)
    constituency = fold(person.constituency)
    place = next(
        (key for key, forms in lexicon.PLACES.items() if re.fullmatch(any_of(forms), constituency)),
        constituency,
    )
    return _Role(roles=frozenset(roles), head=head, place=place)


def _fits(role: _Role, mentioned: set[str]) -> bool:
    """The prompt's roles near the place name this person: their head role is there, and
    no other office ("the Ghent council candidate" is not the mayor candidate)."""
    return role.head in mentioned and not (mentioned - role.roles - _GENERIC_ROLES)


#: Roles that qualify others without naming another office ("minister" in "prime minister").
_GENERIC_ROLES = frozenset({"candidate", "minister"})


def _roles_in(folded: str) -> Iterator[str]:
    for _, role in _role_mentions_in(folded):
        yield role


def _role_mentions_in(folded: str) -> Iterator[tuple[int, str]]:
    """(word index, role) for each role word, including inside compounds."""
    for pattern in (_role_words(), _role_compounds()):
        for match in pattern.finditer(folded):
            if match.lastgroup is not None:
                yield folded.count(" ", 0, match.start()), match.lastgroup


@cache
def _role_words() -> re.Pattern[str]:
    return re.compile(
        "|".join(rf"(?P<{role}>{words(forms)})" for role, forms in lexicon.ROLES.items())
    )


@cache
def _role_compounds() -> re.Pattern[str]:
    return re.compile(
        "|".join(
            rf"(?P<{role}>{any_of(forms)})" for role, forms in lexicon.ROLES_IN_COMPOUNDS.items()
        )
    )


def _place_words(place: str) -> str:
    forms = lexicon.PLACES.get(place, (re.escape(place) + r"(?:se|er|s)?",))
    return words(forms)


def _group(place: str) -> str:
    return "p_" + re.sub(r"\W", "_", place)


def _words(text: Text, indices: list[int]) -> str:
    first, last = min(indices), max(indices)
    start = sum(len(word) + 1 for word in text.words[:first])
    end = sum(len(word) + 1 for word in text.words[: last + 1]) - 1
    return quote(text, start, end)


@cache
def _common_words() -> frozenset[str]:
    """Words that are never a surname on their own ("Van", "Martin" as a first name)."""
    return lexicon.VOCABULARY | lexicon.COMMON_NAMES


def _allowed(word: str) -> int:
    return 2 if len(word) >= FUZZY_TWO else 1


def _close(word: str, target: str, allowed: int) -> bool:
    """Whether ``word`` is at most ``allowed`` edits from ``target`` (one edit checked by
    walking both at once, without the table)."""
    if allowed > 1:
        return _distance(word, target, allowed) <= allowed
    if len(word) < len(target):
        word, target = target, word
    head = 0
    while head < len(target) and word[head] == target[head]:
        head += 1
    if len(word) == len(target):
        # One letter changed, or two neighbours swapped ("Peteers" for "Peeters").
        return word[head + 1 :] == target[head + 1 :] or (
            word[head : head + 2] == target[head : head + 2][::-1]
            and word[head + 2 :] == target[head + 2 :]
        )
    return len(word) == len(target) + 1 and word[head + 1 :] == target[head:]


def _distance(first: str, second: str, limit: int) -> int:
    """Optimal-string-alignment distance (Levenshtein with two neighbouring letters swapped
    as one edit), or ``limit + 1`` as soon as it is known to be over ``limit``."""
    before: list[int] = []
    previous = list(range(len(second) + 1))
    for i, left in enumerate(first, 1):
        current = [i]
        for j, right in enumerate(second, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (left != right))
            if i > 1 and j > 1 and left == second[j - 2] and first[i - 2] == right:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]
