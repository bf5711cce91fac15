"""What a recording about this instance's elections is likely to be in, and to say: the
languages of the elections' territories (speech recognition detects only among them), and
for each language a short prompt of election words and names (Whisper's ``initial_prompt``:
it spells "stembureau" and "Peeters" right far more often with them in front).
"""

from __future__ import annotations

from accord.claims.context import Context
from accord.claims.verdicts import LANGUAGES

#: The languages spoken in a territory, among those screened (ISO 3166-1 alpha-2 → ISO
#: 639-1), most spoken first. A territory not listed speaks none of them.
TERRITORY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "BE": ("nl", "fr", "de"),
    "NL": ("nl",),
    "SR": ("nl",),
    "FR": ("fr",),
    "MC": ("fr",),
    "DE": ("de",),
    "AT": ("de",),
    "LI": ("de",),
    "LU": ("fr", "de"),
    "CH": ("de", "fr"),
    "GB": ("en",),
    "IE": ("en",),
    "US": ("en",),
    "CA": ("en", "fr"),
    "AU": ("en",),
    "NZ": ("en",),
    "MT": ("en",),
    "ZA": ("en",),
    "IN": ("en",),
}

#: Election words in each language: nouns a recogniser misspells, none that says anything
#: alone. Whisper sometimes reads its prompt back instead of the speech (accord.speech
#: drops such segments, but a part of the list can slip into a real one), so the prompt
#: holds no word that makes a claim with a voting word beside it: no "postponed", no
#: weekday (measured: "Dat is niet, Maandag, ..." and "Lundi, mardi, ..." came back for
#: sentences without a weekday, and "Vote, SMS, Monday" is a block), no "SMS" (heard as
#: well without it, and "SMS, Wahlbenachrichtigung" is a block).
_VOCABULARY = {
    "en": (
        "Election, elections, vote, voting, voters, ballot, polling station, polling day, "
        "returning officer, electoral commission."
    ),
    "nl": (
        "Verkiezingen, stemmen, kiezers, stembiljet, stembureau, stembureaus, kiesbrief, "
        "FOD Binnenlandse Zaken, gemeente."
    ),
    "fr": (
        "Élections, voter, électeurs, bulletin de vote, bureau de vote, bureaux de vote, "
        "convocation, SPF Intérieur, commune."
    ),
    "de": (
        "Wahlen, wählen, Wähler, Stimmzettel, Wahllokal, Wahllokale, Wahlbenachrichtigung, "
        "Innenministerium, Gemeinde."
    ),
}

#: The most characters of names a prompt carries (Whisper reads about 220 tokens of it).
NAMES_CHARS = 300


def spoken_languages(context: Context) -> tuple[str, ...]:
    """The screened languages the elections' territories speak, in order, then English
    (a campaign that crosses borders speaks it: an English robocall in Brussels must not be
    heard as Dutch gibberish); all of them when no election says where it is, or none of
    its territories speaks one."""
    found = [
        language
        for election in context.elections
        for country in election.countries
        for language in TERRITORY_LANGUAGES.get(country.upper(), ())
    ]
    chosen = tuple(language for language in dict.fromkeys(found) if language in LANGUAGES)
    if not chosen:
        return LANGUAGES
    return chosen if "en" in chosen else (*chosen, "en")


def prompts_for(context: Context) -> dict[str, str]:
    """For each screened language, a speech recognition prompt: the elections' and the
    protected people's names, then that language's election words."""
    names = list(
        dict.fromkeys(
            [election.name for election in context.elections]
            + [person.name for person in context.people]
        )
    )
    return {language: _prompt(names, _VOCABULARY[language]) for language in LANGUAGES}


def _prompt(names: list[str], vocabulary: str) -> str:
    kept: list[str] = []
    size = 0
    for name in (" ".join(name.split()) for name in names):
        if not name or size + len(name) + 2 > NAMES_CHARS:
            continue
        kept.append(name)
        size += len(name) + 2
    return f"{', '.join(kept)}. {vocabulary}" if kept else vocabulary
