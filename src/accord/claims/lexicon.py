"""The words the rules look for, in English, Dutch, French and German, all in folded form
(lower case, no accents, punctuation as spaces: "wählen" is "wahlen", "l'élection" is
"l election").

Every entry is a regular-expression fragment matched on whole words of ``Text.folded``;
the rules match every language's entries whatever language a prompt was detected as,
because prompts mix them. Kept here, apart from the rules, so that a missed phrase is a
one-line change in one place.
"""

from __future__ import annotations

# Word lists read best packed, several entries a line: the formatter leaves them so.
# fmt: off

# -- Elections in general: a prompt with none of these (and no protected person) is off topic.
ELECTION_WORDS = (
    # en
    r"elect\w*", r"vot(?:e|es|ed|er|ers|ing)", r"ballots?", r"polls?", r"polling", r"candidates?",
    r"candidacy", r"campaign\w*", r"referend\w*", r"parties", r"party leader",
    r"returning officer", r"electoral\w*", r"constituenc\w*", r"polling stations?",
    # nl
    r"\w*verkiezing\w*", r"stemm(?:en|ing|ingen|er)", r"stem(?:t|de|den)?", r"gestemd",
    r"stembu\w+", r"stemlokaal\w*", r"kiez\w+", r"kies\w+", r"kandida\w+", r"partij\w*",
    r"campagne\w*",
    r"lijsttrekker\w*", r"stemplicht", r"oproepingsbrie\w+",
    # fr
    r"votez", r"voter", r"votes?", r"votant\w*", r"scrutin\w*", r"electeur\w*", r"electrice\w*",
    r"urnes?", r"candidat\w*", r"partis?", r"bureaux? de vote", r"isoloir\w*",
    # de
    r"\w*wahl(?:e|en|lokal\w*|tag|kampf\w*|zettel\w*|urne\w*|leiter\w*|recht\w*|kabine\w*)?",
    r"\w*wahlen", r"wahler\w*", r"gewahlt", r"abstimm\w*", r"stimmzettel\w*", r"partei\w*",
    r"kandidat\w*", r"urnengang\w*",
)
#: Words around elections that name no election themselves ("the ballot count", "your
#: polling station changed", "a letter on ministry letterhead", "send your choice to 4455"):
#: with ``ELECTION_WORDS`` they make a prompt on topic, so that the classifier reads it.
ELECTION_ADJACENT = (
    # places and papers
    r"\w*stembureau\w*", r"stembiljet\w*", r"stembrie\w+", r"bulletins? de vote",
    r"bureaux? de vote",
    r"\w*wahllokal\w*", r"stimmzettel\w*", r"polling \w+", r"oproeping\w*", r"convocation\w*",
    # the count and the result
    r"results?", r"vote count", r"uitslag\w*", r"geteld", r"telling", r"resultats?",
    r"depouillement\w*", r"ergebnis(?:se)?", r"auszahlung\w*",
    # authorities and their paper
    r"ministry", r"ministries", r"ministerie\w*", r"ministere\w*", r"ministerium\w*",
    r"town hall", r"city hall", r"gemeentehuis\w*", r"stadhuis\w*", r"maison communale",
    r"hotel de ville", r"rathaus\w*", r"letterhead", r"briefhoofd\w*", r"en tete",
    r"briefkopf\w*", r"municipalit\w*", r"municipal", r"gemeente\w*", r"communes?",
    r"communal\w*", r"gemeinde\w*", r"kommunal\w*", r"fps", r"fod", r"spf", r"fod inneres",
    r"binnenlandse zaken", r"interior", r"interieur", r"inneres", r"government", r"overheid\w*",
    r"regering\w*", r"gouvernement\w*", r"regierung\w*", r"rijksregister\w*",
    r"registre national", r"registration", r"inschrijving", r"ingeschreven", r"inscrits?",
    r"eingetragen", r"wahlamt\w*", r"wahlbehorde\w*", r"wahlburo\w*", r"stemrecht\w*",
    r"stimmrecht\w*", r"droit de vote",
    # people who vote and are voted for
    r"voters?", r"kiezers?", r"electeurs?", r"electrices?", r"wahler\w*", r"politic\w*",
    r"politiek\w*", r"politique\w*", r"politik\w*", r"mayor\w*", r"burgemeester\w*",
    r"bourgmestre\w*", r"burgermeister\w*", r"democra\w*", r"demokrat\w*",
    # how a vote would be sent
    r"(?:your|je|uw|votre|ton|ta|vos|ihre|deine|eure) (?:choice|keuze|choix|wahl|stimme)",
    r"lijstnummer\w*", r"itsme",
    r"(?:send|text|sms|txt|stuur|envo\w+|schick\w*|sende\w*)(?: \S+){0,4}"
    r" (?:to|naar|au|an) \+?\d{3,}",
)

# -- Voting itself (an act or a day): what a date, a channel or a rule must be near.
VOTING_WORDS = (
    # en
    r"vot(?:e|es|ed|er|ers|ing)", r"cast (?:your|a|their|his|her) (?:vote|ballot)s?", r"ballots?",
    r"polls?", r"polling(?: day| station| stations| place| places)?", r"election day",
    r"elections?", r"go to the polls",
    # nl
    r"stemmen", r"stem", r"stemt", r"stemde", r"stemden", r"gestemd", r"stemming",
    r"\w*verkiezing(?:en|sdag)?", r"stembus", r"stembureaus?", r"stemdag", r"kiesdag",
    r"stemlokaal",
    r"uw stem uitbrengen", r"je stem uitbrengen",
    # fr
    r"voter", r"votez", r"votent", r"vote", r"votes", r"scrutin", r"elections?",
    r"jour (?:du scrutin|des elections|de l election)", r"bureaux? de vote", r"urnes?",
    # de
    r"wahl(?:en|tag|lokal|lokale|gang)?", r"\w+wahl(?:en)?", r"wahlt", r"gewahlt",
    r"abstimm(?:en|ung)", r"stimme abgeben", r"stimmabgabe", r"urnengang",
)

# -- The act of voting (not the place): what a channel or an eligibility rule must be near.
VOTE_ACTS = (
    r"vot(?:e|es|ed|ing)", r"cast (?:your|a|their|his|her) (?:vote|ballot)s?", r"stemmen",
    r"stem", r"stemt", r"stemde", r"stemden", r"gestemd", r"(?:uw|je) stem uitbrengen",
    r"breng\w* (?:uw|je) stem", r"voter",
    r"votez", r"votent", r"votons", r"wahlen", r"wahlt", r"wahle", r"gewahlt",
    r"abstimmen",
    r"stimme abgeben", r"stimmabgabe",
)
#: People who may not vote in a Belgian election, in "children can vote".
NOT_ELIGIBLE = (
    r"children", r"kids", r"under 16s?", r"under sixteens?", r"under 18s?", r"tourists",
    r"kinderen", r"jongeren onder (?:16|18)", r"toeristen", r"min (?:16|18) jarigen", r"enfants",
    r"moins de (?:16|18) ans", r"touristes", r"mineurs", r"kinder", r"unter (?:16|18) jahrige\w*",
    r"touristen", r"minderjahrige\w*",
)
MAY = (
    r"can", r"may", r"are allowed to", r"are able to", r"kunnen", r"mogen", r"kan", r"mag",
    r"peuvent", r"ont le droit de", r"konnen", r"durfen", r"darf", r"kann",
)

# -- Remote channels: Belgium has no voting by any of them.
CHANNELS = (
    r"sms(?:je|jes|en)?", r"text messages?", r"texting", r"by text", r"txt",
    r"telephone(?: calls?)?", r"phone(?: calls?)?", r"mobile(?: phone)?", r"smartphone", r"gsm",
    r"apps?", r"the app", r"mobile app", r"application", r"whatsapp", r"telegram", r"signal app",
    r"e ?mails?", r"internet", r"website", r"qr ?codes?", r"itsme",
    # nl
    r"telefoon\w*", r"mail",
    # fr
    r"textos?", r"telephone", r"application", r"appli", r"courriel",
    # de
    r"telefon\w*", r"handy",
)
#: Channels that need no preposition: "vote online", "online stemmen", "en ligne".
#: Electronic voting is not among them: Brussels and the German-speaking Community vote on
#: computers in the booth (``ELECTRONIC`` is remote only beside ``REMOTE_PLACES``).
CHANNEL_ADVERBS = (
    r"online", r"remotely", r"from home", r"telefonisch", r"van thuis uit", r"en ligne",
    r"a distance", r"de chez vous", r"von zu hause(?: aus)?", r"per sms",
)
#: Voting by computer: in the booth it is real; from home, online or by app it is not.
ELECTRONIC = (
    r"electronic(?:ally)?", r"e ?voting", r"digital(?:ly)?", r"digita(?:al|le)", r"elektronisch\w*",
    r"electronique\w*", r"numerique\w*", r"digitale?[nrs]?",
)
REMOTE_PLACES = (
    r"(?:at|from) home", r"(?:your|the) (?:couch|sofa)", r"online", r"internet", r"apps?",
    r"smartphones?", r"phones?", r"laptops?", r"thuis", r"thuis uit", r"zetel", r"online",
    r"telefoon\w*", r"gsm", r"a distance", r"(?:de )?chez (?:vous|soi|toi)", r"domicile",
    r"canape", r"en ligne", r"telephone", r"ordinateur personnel", r"zu hause", r"daheim",
    r"sofa", r"handy", r"telefon\w*", r"web", r"itsme",
)
#: Articles and possessives between a preposition and a channel ("via DE app").
DETERMINERS = (
    r"the", r"a", r"an", r"your", r"their", r"our", r"this", r"de", r"het", r"een", r"je", r"uw",
    r"onze", r"deze", r"la", r"le", r"l", r"les", r"un", r"une", r"votre", r"vos", r"ton", r"ta",
    r"der", r"die", r"das", r"dem", r"den", r"ein", r"eine", r"einer", r"einem", r"ihr\w*",
    r"dein\w*", r"unser\w*", r"official", r"officiele", r"officielle", r"offiziellen?", r"new",
    r"nieuwe", r"nouvelle", r"neuen?",
)

#: Words that turn a channel into a way of voting ("vote BY sms", "stemmen VIA de app").
CHANNEL_PREPOSITIONS = (
    r"by", r"via", r"per", r"through", r"over", r"using", r"with", r"in", r"on", r"from", r"met",
    r"op", r"door", r"par", r"en", r"sur", r"avec", r"depuis", r"dans", r"uber", r"mit", r"im",
    r"auf", r"an",
)

#: Voting done from afar: claims in themselves.
REMOTE_VOTING = (
    r"vote from home", r"vote at home", r"online ?voting", r"internet ?voting",
    r"remote ?voting", r"mobile ?voting", r"sms ?voting", r"app ?voting", r"online stemmen",
    r"thuis stemmen", r"stemmen van thuis uit", r"vote a distance",
    r"vote electronique a distance", r"voter de chez (?:vous|soi)", r"online (?:wahl|wahlen)",
    r"von zu hause (?:aus )?wahlen", r"sms (?:wahl|abstimmung)",
    r"text (?:vote|stem|voter|wahl)\w*", r"sms (?:vote|stem|voter|wahl)\w*",
    r"wahl (?:per|uber|via|mit) (?:\S+ )?(?:sms|app|handy|telefon\w*|internet|e ?mail)",
)

#: "send/text X to 4455": a number or short code to send a vote to.
SENDING = (
    "send", "text", "sms", "txt", "stuur", "envoyez", "envoie", "envoyer", "schick", "sende",
    "schicken", "schickt", "senden", "sendet", "stuurt", "sturen",
)
SEND_TO_NUMBER = (
    r"(?:send|text|sms|txt|stuur|sms t|envoyez|envoie|envoyer|schick\w*|sende\w*)"
    r"(?: \S+){0,4} (?:to|naar|au|an) \+?\d{3,}"
)

#: "send your list number / je lijstnummer / ton choix / deine Wahl to 4455": a vote sent to
#: a number. A list number or a vote is one in itself (group ``ballot``); a "choice" only
#: where voting is spoken of besides (a quiz asks for choices too).
SEND_CHOICE = (
    r"(?:send|text|sms|txt|stuur|envo\w+|schick\w*|sende\w*)(?: \S+){0,2}"
    r" (?:your|je|uw|votre|ton|ta|vos|deine|ihre|eure) (?:(?P<ballot>list number|lijstnummer"
    r"|numero de liste|listennummer|vote|stem|stimme)|choice|keuze|choix|wahl)(?: \S+){0,2}"
    r" (?:to|naar|au|an|a) \+?\d{3,}"
)
#: Where a "choice" sent to a number is a vote: voting words, and the queue at the polls.
VOTING_CONTEXT = (
    r"queu\w*", r"line up", r"wachtrij\w*", r"aanschuiven", r"faire la (?:file|queue)",
    r"anstehen", r"schlange stehen",
)

# -- When: the election moved, postponed, cancelled.
ELECTION_NOUNS = (
    r"elections?", r"vote", r"voting", r"polling day", r"election day", r"ballot",
    r"\w*verkiezing(?:en)?", r"stemming", r"stemdag", r"verkiezingsdag", r"scrutin", r"vote",
    r"jour du scrutin", r"wahl(?:en|tag)?", r"\w+wahl(?:en)?", r"abstimmung",
)
MOVED = (
    r"moved", r"postponed", r"delayed", r"cancell?ed", r"rescheduled", r"called off",
    r"suspended", r"pushed back", r"brought forward", r"verplaatst", r"uitgesteld", r"afgelast",
    r"geannuleerd", r"opgeschort", r"verschoven", r"deplacee?s?", r"reportee?s?", r"annulee?s?",
    r"suspendue?s?", r"repoussee?s?", r"decalee?s?", r"avancee?s?", r"verschoben", r"abgesagt",
    r"verlegt", r"ausgesetzt", r"annulliert", r"vorverlegt",
)

# -- Where: polling stations closed or moved.
POLLING_PLACES = (
    r"polling (?:stations?|places?|booths?)", r"voting (?:stations?|places?|centres?|centers?)",
    r"stembureaus?", r"stemlokal(?:en)?", r"stemlokaal", r"kieslokal(?:en)?", r"bureaux? de vote",
    r"lieux? de vote", r"wahllokale?", r"wahlburos?", r"wahlraume?",
)
CLOSED = (
    r"closed", r"shut(?: down)?", r"moved", r"relocated", r"cancell?ed", r"gesloten", r"dicht",
    r"verhuisd", r"verplaatst", r"afgeschaft", r"fermee?s?", r"deplacee?s?", r"demenagee?s?",
    r"supprimee?s?", r"geschlossen", r"verlegt", r"umgezogen",
)
#: "closed at 16:00" is the ordinary closing time, not a false claim.
CLOSING_TIME = r"(?:at|after|from|om|na|vanaf|a|apres|des|ab|nach|um) \d"

# -- Who and how: invented eligibility rules.
ELIGIBILITY = (
    # documents that are not asked for (a Belgian voter brings an ID card and the summons)
    r"utility bills?", r"electricity bills?", r"gas bills?", r"energy bills?", r"water bills?",
    r"phone bills?", r"bank statements?", r"proof of (?:address|income|residence)",
    r"birth certificates?", r"energiefactu\w*", r"elektriciteitsfactu\w*", r"gasfactu\w*",
    r"waterfactu\w*", r"nutsfactu\w*", r"bankafschrift\w*", r"geboorteakte\w*",
    r"facture d (?:electricite|energie|eau|gaz)", r"releve bancaire", r"acte de naissance",
    r"stromrechnung\w*", r"gasrechnung\w*", r"wasserrechnung\w*", r"energierechnung\w*",
    r"kontoauszug\w*", r"geburtsurkunde\w*",
    # who may vote
    r"born (?:before|after|in) \d+", r"geboren (?:voor|na|voor het|in|vor|nach) \d+",
    r"nee?s? (?:avant|apres|en) \d+", r"party members?", r"members of the party", r"partijleden",
    r"leden van de partij", r"membres du parti", r"parteimitglieder\w*",
    # when
    r"a day (?:early|earlier|before)", r"one day (?:early|earlier|before)",
    r"een dag (?:eerder|vroeger|vooraf)", r"un jour (?:plus tot|avant|a l avance)",
    r"einen tag (?:fruher|vorher|eher)", r"1 tag (?:fruher|vorher|eher)",
    # how often
    r"twice", r"two times", r"twee ?keer", r"tweemaal", r"deux fois", r"zweimal", r"zwei mal",
    # without papers
    r"without (?:an |your )?(?:id|identity card|identification|eid)",
    r"zonder (?:je |uw |een )?(?:identiteitskaart|id|eid)",
    r"sans (?:votre |ta |une )?(?:carte d identite|piece d identite|eid)",
    r"ohne (?:ihren |deinen |einen )?(?:ausweis|personalausweis)",
)
#: Words any "made to look official" request has, for a quick check before the patterns.
OFFICIAL_MARKS = (
    r"official\w*", r"letterhead", r"briefhoofd", r"briefkopf", r"papier", r"seal", r"stamp",
    r"sceau", r"cachet", r"tampon", r"siegel", r"dienstsiegel", r"apparence", r"allure", r"air",
    r"semble", r"echt", r"real", r"authentic", r"genuine", r"offiziell\w*", r"amtlich\w*",
    r"officieel", r"officiele?",
)

#: Conditions no Belgian voter loses the vote for ("people with unpaid fines cannot vote").
CONDITIONS = (
    r"(?:parking |traffic |speeding )?fines?", r"unpaid \w+", r"outstanding \w+", r"debts?",
    r"tax arrears", r"unemployed", r"on benefits", r"tenants?", r"renters?", r"\w*boetes?",
    r"openstaande \w+", r"onbetaalde \w+", r"schulden", r"belastingschuld\w*", r"werklo\w+",
    r"huurders?", r"leefloon", r"amendes?", r"impayee?s?", r"dettes?", r"chomeurs?",
    r"chomage", r"locataires?", r"strafzettel\w*", r"bussgeld\w*", r"unbezahlte\w*",
    r"offene\w* \w+", r"steuerschuld\w*", r"arbeitslos\w*", r"mieter\w*",
)
#: "may not vote", "mag niet stemmen", "n'ont pas le droit de voter", "dürfen nicht wählen":
#: a prohibition, which with an invented condition is the claim itself.
BARRED = (
    r"(?:are|is) not allowed to vote", r"(?:may|must|can) not vote", r"cannot vote",
    r"can t vote", r"(?:are|is) (?:barred|banned|excluded) from voting",
    r"lose (?:the|their|his|her) (?:right to vote|vote)", r"no right to vote",
    r"(?:mag|mogen|kan|kunnen) niet (?:meer )?(?:gaan )?stemmen",
    r"niet (?:meer )?(?:mag|mogen|kan|kunnen) stemmen", r"geen stemrecht",
    r"verliezen (?:hun|zijn|haar) stemrecht", r"n ont pas le droit de vot\w*",
    r"n a pas le droit de vot\w*", r"ne (?:peuvent|peut) pas voter",
    r"perdent (?:leur|le) droit de vote", r"pas le droit de vote",
    r"(?:durfen|darf|konnen|kann) nicht (?:mehr )?(?:wahlen|abstimmen)",
    r"nicht (?:mehr )?(?:wahlen|abstimmen) (?:durfen|darf|konnen|kann)", r"kein(?:e|en)? wahlrecht",
    r"verlieren (?:ihr|sein) wahlrecht",
)

#: "No need to go to the polling station", "je hoeft niet naar het stembureau", "pas besoin
#: d'aller", "man muss nicht ins Wahllokal", "no queue": they promise voting is easier, and
#: negate nothing of a claim about voting by SMS or app next to them.
NOT_NEEDED = (
    r"(?:there is )?no need", r"(?:do not|don t|dont|won t) (?:need|have) to",
    r"no (?:more )?queu\w*", r"no (?:waiting|lines?)", r"geen (?:wachtrij\w*|rij|nood|gedoe)",
    r"hoeft? (?:je |u |men )?(?:niet|nergens)", r"hoef (?:je|u) niet", r"niet meer naar",
    r"pas besoin", r"plus besoin", r"sans (?:faire la )?(?:file|queue|attente)",
    r"pas de (?:file|queue|attente)", r"plus (?:de file|besoin)",
    r"kein(?:e|en)? (?:anstehen|schlange\w*|warte\w*)",
    r"(?:muss|musst|mussen) (?:man |du |sie )?nicht", r"brauch\w* (?:man |du |sie )?nicht",
    r"nicht mehr (?:ins|zum|in)",
)

#: "the rumour that ...", "het gerucht dat ...", "la rumeur selon laquelle ...", "das Gerücht,
#: ...": a claim reported, not made; with the right date or "that is false" it is corrected.
REPORTED = (
    r"rumou?rs?", r"rumou?red", r"hearsay", r"the claim", r"claims? that", r"allegations?",
    r"geruchte?n?", r"praatjes", r"de bewering", r"beweert", r"beweren", r"rumeurs?",
    r"on dit que", r"l affirmation", r"pretendent", r"pretend", r"geruchts?", r"geruchte",
    r"behauptung\w*", r"behaupte\w*", r"es heisst",
)
#: "... is false", "klopt niet", "c'est faux", "stimmt nicht"; "still", "blijft", "reste",
#: "bleibt" with the registered date.
CORRECTED = (
    r"(?:is|are|that s|that is|it s) (?:false|wrong|untrue|incorrect|not true)", r"false",
    r"wrong", r"klopt niet", r"(?:is |zijn )?(?:onjuist|fout|vals|niet waar)", r"c est faux",
    r"(?:est |sont )?(?:faux|fausse|inexact\w*)", r"pas vrai", r"stimmt nicht",
    r"(?:ist |sind )?(?:falsch|unwahr)", r"nicht wahr",
)
STILL = (
    r"still", r"remains?", r"unchanged", r"nog steeds", r"nog altijd", r"blijft", r"ongewijzigd",
    r"toujours", r"reste", r"inchange\w*", r"bleibt", r"immer noch", r"weiterhin", r"unverandert",
)

#: "if you voted last time, you need not vote": the "not" is the claim itself.
ALREADY_VOTED = (
    r"voted (?:last time|before|in \d+|already)", r"already voted",
    r"vorige keer (?:al )?gestemd", r"laatste keer (?:al )?gestemd", r"al gestemd",
    r"vroeger gestemd", r"deja vote", r"vote la derniere fois",
    r"vote (?:en \d+|la derniere fois)", r"letztes mal gewahlt", r"das letzte mal gewahlt",
    r"bereits gewahlt", r"schon gewahlt",
)
EXEMPT = (
    r"(?:do not|don t|doesn t|does not|no) (?:need|have) to", r"no need",
    r"not (?:need|required)", r"exempt\w*", r"hoeft? (?:je |u )?niet", r"hoef (?:je|u) niet",
    r"niet meer", r"vrijgesteld", r"pas besoin", r"n avez pas a", r"n avez pas besoin",
    r"dispensee?s?", r"nicht mehr", r"mussen nicht", r"brauchen nicht", r"musst nicht",
    r"befreit",
)

# -- Negation and debunking: "there is NO voting by SMS" is a civics lesson, not a lie.
NEGATIONS = (
    r"no", r"not", r"never", r"cannot", r"can t", r"don t", r"doesn t", r"isn t", r"aren t",
    r"won t", r"nor", r"impossible", r"myths?", r"false", r"untrue", r"hoax", r"niet", r"geen",
    r"nooit", r"onmogelijk", r"fabels?", r"mythes?", r"onwaar", r"ne", r"n", r"pas", r"jamais",
    r"aucun\w*", r"faux", r"fausse", r"mythe", r"nul\w*", r"nicht", r"kein\w*", r"niemals",
    r"unmoglich", r"falsch\w*", r"mythos", r"irrtum",
)
#: Anywhere in a prompt, these mark it as debunking a myth rather than spreading it.
DEBUNKING = (
    r"myths?", r"fact ?check\w*", r"debunk\w*", r"is not true", r"isn t true", r"mythes?",
    r"fabels?", r"klopt niet", r"factcheck\w*", r"c est faux", r"mythos", r"stimmt nicht",
    r"irrtum\w*", r"ontkracht\w*", r"rechtzetting\w*",
    r"dementi\w*", r"rectification\w*", r"richtigstell\w*", r"klarstellung\w*",
)

# -- Warnings against scams and fakes: a claim called a fake or warned against is debunked,
#: unless the prompt asks to make the fake convincing or to spread it.
#: What calls a thing fake: "a fake SMS", "nep-sms", "un faux SMS", "eine gefälschte SMS".
FAKE_LABELS = (
    r"fakes?", r"faked", r"false", r"bogus", r"counterfeit\w*", r"scams?", r"scammers?",
    r"fraud\w*", r"fraudulent", r"hoax\w*", r"phishing", r"misinformation", r"disinformation",
    r"nep", r"nep(?:nieuws|bericht\w*|sms\w*|brie\w+|mail\w*)", r"vals", r"valse",
    r"vervalst\w*", r"oplicht\w*", r"fraude\w*", r"desinformatie", r"faux", r"fausses?",
    r"arnaque\w*", r"escroc\w*", r"escroquerie\w*", r"frauduleu\w*", r"canulars?", r"intox",
    r"desinformation", r"fausses? informations?", r"hameconnage", r"gefalscht\w*",
    r"falschung\w*", r"falsche[nrsm]?", r"betrug\w*", r"betruger\w*", r"falschmeldung\w*",
    r"falschinformation\w*", r"schwindel\w*",
    # whoever says so lies: "is lying", "liegt", "ment", "lügt"
    r"liars?", r"lying", r"leugen\w*", r"liegt", r"menteu\w*", r"mensonges?", r"ment",
    r"mentent", r"lugt", r"lugen", r"lugner\w*",
)
#: Calling it fake in so many words: "is a scam", "stamped SCAM", "is een oplichter", "est
#: une arnaque", "ist Betrug": a warning even beside a request to share it.
CALLED = (
    r"(?:is|are|was|were|it s|that s|its|zijn|is het|was|waren|est|sont|c est|etait|ist|sind"
    r"|war|waren)(?: (?:a|an|een|un|une|ein|eine|pure|just|totally|absolutely|allemaal|puur"
    r"|complete|pure|reine|reiner|totale?)){0,2}",
    r"(?:stamped|marked|labell?ed|with the words?|in red|gestempeld|met de stempel|met het woord"
    r"|tamponnee?s?|marquee?s?|estampillee?s?|avec le (?:mot|tampon)|gestempelt|markiert"
    r"|mit dem (?:stempel|wort)|mit der aufschrift|(?:en|in) rouge|in rot|in het rood)",
)
#: Warning against something: "beware of", "pas op voor", "méfiez-vous", "Vorsicht vor". A
#: bare "Warning:", "Attention :" or "Achtung:" heads fake alerts as often, and is not here.
WARNING = (
    r"beware of", r"be (?:wary|careful) (?:of|with)",
    r"warn(?:s|ed|ing|ings)? (?:\w+ )?(?:about|against)", r"watch out for",
    r"(?:do not|don t|never) (?:fall for|trust|believe|reply to|respond to|click)",
    r"scam alert", r"pas op voor", r"let op voor", r"trap er niet in", r"wees op je hoede",
    r"waarschuw\w* (?:\w+ )?(?:voor|tegen)(?! (?:alle |de )?(?:kiezers|senioren|ouderen"
    r"|iedereen|inwoners|burgers|mensen))",
    r"(?:mise|mettre|met|mets|mettez|mettons) en garde (?:\w+ )?contre", r"mefiez vous",
    r"mefie toi", r"ne (?:tombez|tombe) pas", r"attention (?:aux|a ces|a les) (?:\w+ )?"
    r"(?:sms|textos?|appels?|messages?|courriels?|e ?mails?|lettres?|faux|fausses?|arnaque\w*"
    r"|escro\w*)",
    r"vorsicht (?:vor|bei)", r"achtung vor", r"warn\w* vor", r"fallen sie nicht",
    r"(?:glauben|vertrauen) sie nicht",
)
#: "The municipality never sends SMS", "stuurt nooit", "n'envoie jamais", "schickt nie".
NEVER_SENDS = (
    r"never (?:sends?|asks?|calls?|texts?|e ?mails?|phones?|contacts?|will (?:send|ask|call))",
    r"(?:stuurt|vraagt|belt|mailt|sms t|contacteert|zal)(?: \S+)? nooit",
    r"n (?:(?:vous|te) )?(?:envoie|envoient|appelle|appellent)\w* jamais",
    r"ne (?:(?:vous|te) )?(?:demande|demandent|contacte|contactent)\w* jamais",
    r"(?:schickt|sendet|fragt|ruft|verschickt|schreibt|kontaktiert)(?: \S+)? nie(?:mals)?",
)
#: Making the fake: "make a fake SMS", "maak een nep-sms", "crée un faux SMS", "erstelle eine
#: gefälschte SMS"; "spread the fake news"; "a convincing fake"; "a poster with fake claims".
PRODUCE = (
    r"make", r"making", r"create", r"generate", r"produce", r"write", r"draft", r"design",
    r"craft", r"compose", r"forge", r"spread", r"maak", r"maken", r"creeer",
    r"genereer", r"schrijf", r"ontwerp", r"produceer", r"verspreid\w*", r"cree", r"creer",
    r"creez", r"fais", r"faites", r"faire", r"genere\w*", r"ecris", r"ecrire", r"ecrivez",
    r"redige\w*", r"fabrique\w*", r"concois", r"propage\w*", r"diffuse\w*", r"erstell\w*",
    r"mach", r"mache", r"machen", r"schreib\w*", r"generier\w*", r"entwirf", r"entwerf\w*",
    r"verfass\w*", r"gestalte\w*", r"verbreite\w*", r"convincing", r"believable",
    r"realistic", r"credible", r"overtuigend\w*", r"geloofwaardig\w*", r"realistisch\w*",
    r"convaincant\w*", r"credible\w*", r"realiste\w*", r"uberzeugend\w*", r"glaubwurdig\w*",
    r"with", r"met", r"avec", r"mit",
)
#: Passing the fake on: "send it to voters", "stuur die naar kiezers", "envoie-le aux
#: électeurs", "schick sie an Wähler", "spread the rumour"; and making it believed.
SPREAD = (
    r"(?:send|sends|forward|text|stuur|verstuur|envoie|envoyez|transfere\w*|schick\w*"
    r"|sende\w*|versende\w*|leite\w*)(?: (?!never|nooit|jamais|nie|niemals)\S+){0,4}"
    r" (?:to|naar|aan|a|aux|au|an) (?:\S+ )?(?:voters|people|everyone|seniors|residents"
    r"|kiezers|mensen|iedereen|senioren|inwoners|electeurs|gens|tout le monde|seniors|habitants"
    r"|wahler\w*|leute|alle|senioren|einwohner\w*|burger\w*|contacts|contacten)",
    r"(?:spread|circulate|verspreid\w*|rondsturen|stuur (?:\S+ )?rond|propage\w*|diffuse\w*"
    r"|fais circuler|faire circuler|repand\w*|verbreite\w*|in umlauf)"
    r"(?! (?:\S+ )?(?:warning|waarschuwing|mise en garde|avertissement|warnung|alert))",
    r"so (?:that )?(?:people|voters) (?:believe|think)",
    r"zodat (?:mensen|kiezers) (?:geloven|denken)",
    r"pour que les (?:gens|electeurs) (?:croient|pensent)",
    r"damit (?:die )?(?:leute|wahler) (?:glauben|denken)",
    r"(?:look|looks|seem|lijk\w*|ogen|paraitre|wirk\w*) (?:real|genuine|echt|vrai|authentique)",
)

#: What a fake or fraud claimed of the election itself is about ("the election was a fraud",
#: "die Wahl war gefälscht", "fraude électorale"): a claim, not a warning. Not "wahlen", which
#: is also the verb ("wer sagt, man könne per Telefon wählen, ist ein Betrüger").
RIGGED = (
    r"elections?", r"electoral\w*", r"electorale?s?", r"\w*verkiezing\w*", r"scrutin",
    r"\w*wahl", r"\w+wahlen", r"stemming", r"ballots?", r"results?", r"uitslag\w*", r"resultats?",
    r"ergebnis\w*", r"telling",
)

# -- Official impersonation.
AUTHORITIES = (
    # en
    r"federal public service interior", r"ministry of(?: the)? interior", r"fps interior",
    r"interior ministry", r"electoral (?:commission|board|authority|office)",
    r"election (?:commission|board|authority|authorities|office|officials?)",
    r"returning officers?", r"mayor s office", r"city hall", r"town hall", r"the municipality",
    r"the government", r"belgian government", r"federal government", r"the state",
    r"(?:city |town |municipal |local )?(?:election|elections|electoral|voting)"
    r" (?:office|service|department|desk|team)",
    r"elections? (?:directorate|division)", r"central polling station",
    # nl
    r"fod binnenlandse zaken", r"binnenlandse zaken", r"kiescommissie", r"kiesraad",
    r"verkiezingsautoriteit\w*", r"hoofdstembureau", r"stembureau",
    r"voorzitter van het (?:hoofd)?stembureau", r"de gemeente", r"gemeentebestuur",
    r"stadsbestuur", r"stadhuis", r"gemeentehuis", r"de overheid", r"de regering",
    r"agentschap binnenlands bestuur", r"ibz", r"verkiezingsdienst\w*",
    r"dienst verkiezingen", r"directie verkiezingen", r"(?:kies|kanton|hoofd)hoofdbureau\w*",
    r"kieshoofdbureau\w*", r"kantonhoofdbureau\w*", r"hoofdbureau\w*", r"stembureau\w*",
    r"voorzitter van het \w*bureau",
    # fr
    r"spf interieur", r"service public federal interieur", r"ministere de l interieur",
    r"bureau electoral", r"bureau principal", r"commission electorale",
    r"president du bureau (?:de vote|principal)", r"administration communale", r"la commune",
    r"maison communale", r"hotel de ville", r"le gouvernement", r"gouvernement belge",
    r"service (?:electoral|des elections|elections)", r"direction des elections",
    r"bureau (?:electoral|principal|de canton|communal)\w*", r"president du bureau \w+",
    # de
    r"fod inneres", r"fod innen", r"fod des innern", r"innenministerium", r"wahlleiter\w*",
    r"wahlvorsteher\w*", r"wahlamt\w*", r"wahlbehorde\w*", r"wahlausschuss\w*",
    r"wahlkommission\w*", r"wahlburo\w*", r"abteilung wahlen", r"wahldienst\w*",
    r"hauptwahlburo\w*", r"gemeindeverwaltung\w*", r"rathaus\w*", r"die regierung",
    r"der regierung", r"belgischen regierung", r"die gemeinde", r"der gemeinde",
    r"elections fgov be", r"fgov",
)
DOCUMENTS = (
    r"letters?", r"notices?", r"announcements?", r"press releases?", r"statements?",
    r"circulars?", r"memos?", r"e ?mails?", r"sms(?: messages?)?", r"text messages?", r"forms?",
    r"summons", r"voice ?mails?", r"voice messages?", r"robocalls?", r"phone calls?",
    r"messages?", r"warnings?", r"alerts?", r"decrees?", r"posts?", r"tweets?", r"bulletins?",
    r"leaflets?", r"flyers?", r"notifications?", r"documents?", r"letterheads?",
    r"recordings?", r"audio messages?",
    # nl
    r"brie(?:f|ven)", r"mededeling\w*", r"aankondiging\w*", r"persbericht\w*", r"berichten?",
    r"omzendbrie\w+", r"kennisgeving\w*", r"oproepingsbrie\w+", r"verklaring\w*",
    r"spraakbericht\w*", r"formulier\w*", r"folders?", r"waarschuwing\w*",
    r"(?:telefoon|sms|e ?mail|nieuws|spraak|audio|whatsapp|facebook|tekst)?berichte?n?",
    r"sms(?:je|jes)?", r"e ?mails?", r"briefhoofd", r"overheidsdocument\w*", r"audiobericht\w*",
    # fr
    r"lettres?", r"courriers?", r"avis", r"annonces?", r"communiques?(?: de presse)?",
    r"circulaires?", r"convocations?", r"formulaires?", r"messages? vocal", r"declarations?",
    r"tracts?", r"messages? telephonique\w*", r"en tete", r"documents? gouvernementa\w*",
    # de
    r"brief\w*", r"schreiben", r"mitteilung\w*", r"bekanntmachung\w*", r"pressemitteilung\w*",
    r"rundschreiben", r"benachrichtigung\w*", r"wahlbenachrichtigung", r"sprachnachricht\w*",
    r"formular\w*", r"erklarung\w*", r"warnung\w*", r"(?:telefon|band)?ansage\w*", r"briefkopf",
    r"dokument\w*", r"nachricht\w*",
)
#: "from", "signed by", "on behalf of": a document presented as the authority's own.
FROM = (
    r"from", r"by", r"of", r"signed by", r"on behalf of", r"in the name of", r"issued by", r"van",
    r"namens", r"uit naam van", r"ondertekend door", r"vanwege", r"de", r"du", r"de la", r"des",
    r"au nom de", r"au nom du", r"au nom des", r"signee? par", r"emanant de", r"von", r"vom",
    r"der", r"des", r"im namen", r"im namen des", r"im namen der", r"im auftrag",
    r"im auftrag des", r"unterzeichnet von", r"in naam van", r"in opdracht van",
    r"en provenance de",
    # a sender's field: "Afzender: FOD Binnenlandse Zaken"
    r"sender", r"afzender", r"expediteur", r"absender",
    # presented as coming from it: "looks like it comes from", "lijkt te komen van"
    r"(?:looks?|seems?|appears?) (?:like it|as if it|to) (?:comes?|came|be) from",
    r"(?:lijkt|lijken) (?:te komen |afkomstig )?van", r"(?:semble|semblent) venir (?:de|du|des)",
    r"als kame sie (?:von|vom)", r"als kamen sie (?:von|vom)",
)
OFFICIAL_LOOK = (
    r"(?:make|making|made) (?:it|this|them) (?:look|seem|appear) (?:\w+ )?"
    r"(?:official|real|authentic|genuine)",
    r"(?:looks?|looking|appear\w*|seem\w*) (?:\w+ )?official", r"official ?looking",
    r"(?:authentic|genuine|real|scanned|official) ?looking \w*(?: \w+)? documents?",
    r"d apparence (?:authentique|officielle|reelle)", r"echt (?:ogend|uitziend)\w*",
    r"echt (?:aussehend|wirkend)\w*",
    r"(?:government|official|ministry|state) letterhead", r"on (?:the )?letterhead",
    r"(?:with|and|bearing) (?:the |an )?official (?:seal|stamp|logo|signature|crest|emblem)",
    r"official (?:seal|stamp|crest|emblem)", r"as if (?:it came|sent|issued) from",
    r"officieel (?:ogend|uitziend|lijkend)", r"officieel (?:laten )?(?:lijken|uitzien|ogen)",
    r"echt (?:laten )?(?:lijken|uitzien)",
    r"officiele? (?:briefhoofd|zegel|stempel|logo|handtekening)", r"briefhoofd van",
    r"met (?:het |de )?officiele? (?:logo|zegel|stempel|briefhoofd)",
    r"(?:d )?(?:apparence|allure|air) officiel\w*",
    r"(?:avec|portant) (?:le |un )?(?:sceau|cachet|logo|tampon) officiel\w*",
    r"(?:sceau|cachet|tampon) officiel\w*", r"en tete officiel\w*", r"papier a en tete",
    r"ait l air officiel\w*", r"semble officiel\w*",
    r"offiziell (?:aussehen\w*|wirken\w*|aussieht|wirkt)", r"amtlich (?:aussehen\w*|wirken\w*)",
    r"(?:mit )?(?:offiziellem|amtlichem) (?:siegel|stempel|logo|briefkopf|wappen)", r"briefkopf",
    r"amtliche?s? siegel", r"dienstsiegel",
)
#: A document the voter already has and is told about, not one made: "check YOUR official
#: polling card", "BRING the convocation", "neem je oproepingsbrief mee", "apportez votre
#: convocation", "bringen Sie Ihre Wahlbenachrichtigung". Looked for just before the document.
REFERENCE = (
    # possessives
    r"your", r"my", r"their", r"his", r"her", r"je", r"jouw", r"uw", r"mijn", r"hun", r"zijn",
    r"haar", r"votre", r"vos", r"ton", r"ta", r"tes", r"mon", r"ma", r"mes", r"leurs?", r"son",
    r"sa", r"ses", r"ihre?[nmrs]?", r"deine?[nmrs]?", r"eure?[nmrs]?", r"meine?[nmrs]?",
    r"seine?[nmrs]?", r"unsere?[nmrs]?",
    # what a voter does with the paper they received
    r"check\w*", r"bring\w*", r"show\w*", r"take", r"verify", r"keep", r"read", r"find",
    r"receiv\w*", r"look at", r"controleer\w*", r"neem", r"breng", r"toon", r"bewaar",
    r"lees", r"ontvang\w*", r"ontvangen", r"verifie\w*", r"apporte\w*", r"munissez vous de",
    r"presente\w*", r"montre\w*", r"garde\w*", r"lise\w*", r"recu\w*", r"pruf\w*",
    r"zeig\w*", r"nimm", r"nehmen", r"lies", r"lesen", r"erhalt\w*", r"mitbring\w*",
    r"vorzeig\w*", r"bewahr\w*",
)
#: How a recording or a post speaks as an authority, the authority's name after it: "this
#: is the FPS Interior", "on behalf of the electoral commission", "hier is de kiesraad",
#: "ici le SPF Intérieur", "hier spricht das Innenministerium".
SPEAKING_AS = (
    r"this is", r"here is", r"we are", r"on behalf of", r"in the name of",
    r"(?:a |an )?(?:message|announcement|call|notice|update) from",
    r"hier is", r"dit is", r"u spreekt met", r"wij zijn", r"namens", r"in naam van",
    r"uit naam van", r"(?:een )?(?:bericht|mededeling|oproep) van",
    r"ici", r"c est", r"nous sommes", r"au nom d\w*", r"de la part d\w*",
    r"(?:un )?(?:message|communique|appel) d\w*",
    r"hier spricht", r"hier ist", r"wir sind", r"im namen", r"im auftrag",
    r"(?:eine )?(?:nachricht|mitteilung|durchsage|ansage) (?:von|vom|der|des)",
)
#: Authorities too general to be spoken as ("this is the government's fault", "this is
#: the state of things"): left out of ``SPEAKING_AS``'s match.
GENERAL_AUTHORITIES = (
    r"the government", r"the state", r"the municipality", r"de overheid", r"de regering",
    r"de gemeente", r"le gouvernement", r"la commune", r"die regierung", r"der regierung",
    r"die gemeinde", r"der gemeinde",
)
#: "an official letter", "une lettre officielle": official in itself, with an election.
OFFICIAL = (
    r"official", r"officially", r"officiele?", r"officieel", r"officiel\w*", r"offiziell\w*",
    r"amtlich\w*",
)

# -- Protected people: how a prompt asks for a voice, a statement or a non-realistic form.
VOICE = (
    r"voice", r"voices", r"clone", r"cloned", r"cloning", r"imitat\w*", r"impersonat\w*",
    r"sounds? like", r"sounding like", r"speaking as", r"audio of", r"voicemail", r"robocall",
    r"stem van", r"zijn stem", r"haar stem", r"stemkloon", r"klinkt als", r"nadoen", r"nabootsen",
    r"voix", r"cloner", r"imiter", r"imitant", r"parle comme", r"stimme", r"stimmen klon\w*",
    r"klingt wie", r"nachahm\w*", r"klonen",
)
STATEMENT = (
    r"statements?", r"quotes?", r"speech(?:es)?", r"announc\w*", r"tweets?", r"posts?",
    r"press releases?", r"in (?:his|her|their) own words", r"first person",
    r"as if (?:he|she) said", r"pretend\w* to be", r"written as", r"in the name of",
    r"letter (?:from|by|signed)", r"says?", r"saying", r"confess\w*", r"admit\w*", r"endorse\w*",
    r"verklaring\w*", r"citaat", r"citaten", r"toespraak", r"toespraken", r"aankondig\w*",
    r"persbericht\w*", r"brief van", r"zegt", r"namens", r"bekent", r"geeft toe",
    r"declaration\w*", r"citation\w*", r"discours", r"annonce\w*", r"communique\w*", r"lettre de",
    r"dit", r"avoue\w*", r"au nom de", r"erklarung\w*", r"zitat\w*", r"rede", r"ansprache",
    r"kundigt\w*", r"pressemitteilung\w*", r"brief von", r"sagt", r"gesteht", r"im namen",
)
NON_REALISTIC = (
    r"cartoon\w*", r"caricature\w*", r"comic\w*", r"comics", r"muppet\w*", r"puppet\w*", r"anime",
    r"manga", r"pixar", r"lego", r"claymation", r"stick figure\w*", r"doodle", r"sketch(?:ed)?",
    r"line drawing", r"pencil drawing", r"watercolou?r", r"pixel art", r"chibi", r"emoji",
    r"mascot", r"satirical drawing", r"spitting image", r"karikatu\w*", r"spotprent\w*",
    r"tekenfilm\w*", r"strip(?:verhaal|figuur)?\w*", r"poppenkast", r"tekening", r"dessin anime",
    r"dessins animes", r"bd", r"bande dessinee", r"marionnette\w*", r"croquis", r"dessin",
    r"karikatur\w*", r"zeichentrick\w*", r"zeichnung", r"puppe\w*",
)
REALISTIC = (
    r"photo\w*", r"realistic", r"realistically", r"realism", r"hyper ?realistic", r"footage",
    r"as if (?:it were )?real", r"looks? real", r"real life", r"4k", r"8k", r"hd", r"dslr",
    r"portrait photo\w*", r"press photo\w*", r"news photo\w*", r"cctv", r"deep ?fake\w*",
    r"leaked", r"candid", r"paparazzi", r"selfie", r"webcam", r"bodycam", r"documentary",
    r"foto\w*", r"realistisch\w*", r"echt lijkend", r"echte", r"beeldmateriaal", r"realiste",
    r"photoreali\w*", r"images? reelles?", r"video reelle", r"fotoreali\w*", r"echt wirkend\w*",
    r"aufnahme\w*", r"nachrichtenfoto\w*",
)

# -- Roles and places, for "the Ghent mayor candidate": canonical id -> folded forms.
#: Role words that may sit inside a compound ("burgemeesterskandidaat").
ROLES_IN_COMPOUNDS = {
    "mayor": (
        r"burgemeesters?", r"burgermeister",
    ),
    "candidate": (r"kandidaa?t\w*",),
    "alderman": (r"schepen",),
    "minister": (r"minister",),
}
ROLES = {
    "mayor": (
        r"mayors?", r"mayoral", r"burgemeesters?", r"burgermeister\w*", r"bourgmestres?",
        r"maires?", r"mayoress",
    ),
    "candidate": (r"candidates?", r"candidat\w*", r"kandida\w+"),
    "returning_officer": (
        r"returning officers?", r"voorzitters? van het (?:hoofd)?stembureau",
        r"voorzitter (?:hoofd)?stembureau", r"voorzitters? van het (?:kies|kanton)?hoofdbureau",
        r"voorzitter (?:kies|kanton)?hoofdbureau", r"presidente? du bureau de canton",
        r"returning officer", r"hauptwahlleiter\w*",
        r"presidente? du bureau (?:de vote|principal|electoral)", r"wahlleiter\w*",
        r"wahlvorsteher\w*",
    ),
    "minister": (r"ministers?", r"ministre\w*", r"minister\w*"),
    "party_leader": (
        r"party (?:leader|chair|president)s?", r"partijvoorzit\w+", r"partijleid\w+",
        r"presidente? (?:de|du) parti", r"chef (?:de|du) parti", r"parteivorsitzend\w*",
        r"parteichef\w*", r"parteifuhrer\w*",
    ),
    "alderman": (r"alderm[ae]n", r"schepen\w*", r"echevin\w*", r"schoffe\w*"),
    "councillor": (
        r"council+ors?", r"council", r"gemeenteraad\w*", r"conseil communal",
        r"conseill(?:er|ere) communal\w*", r"ratsmitglied\w*", r"gemeinderat\w*",
    ),
    "governor": (r"governors?", r"gouverneurs?"),
    "prime_minister": (
        r"prime minister", r"premier", r"eerste minister", r"premier ministre",
        r"premierminister\w*",
    ),
}
#: The role a registered person's role wording names first ("candidate for mayor": candidate).
HEAD_ROLES = (
    "candidate", "returning_officer", "party_leader", "prime_minister", "minister", "governor",
    "alderman", "councillor", "mayor",
)

#: Belgian places and their exonyms; "Genf" (Geneva) is not Ghent, and so not here.
PLACES = {
    "ghent": (r"gent", r"ghent", r"gand", r"gentse?", r"genter", r"gantoise?"),
    "brussels": (
        r"brussel", r"brussels", r"bruxelles", r"brussel", r"brusselse?", r"brusseler",
        r"bruxelloise?", r"brussels capital",
    ),
    "antwerp": (r"antwerpen", r"antwerp", r"anvers", r"antwerpse?", r"antwerpener", r"anversoise?"),
    "liege": (r"luik", r"liege", r"luttich", r"luikse?", r"liegeoise?", r"lutticher"),
    "leuven": (r"leuven", r"louvain", r"lowen", r"leuvense?", r"louvaniste"),
    "mons": (r"bergen", r"mons", r"montoise?", r"bergense?"),
    "namur": (r"namen", r"namur", r"namense?", r"namuroise?"),
    "bruges": (r"brugge", r"bruges", r"brugge", r"brugse?", r"brugeoise?", r"brugger"),
    "kortrijk": (r"kortrijk", r"courtrai", r"kortrijkse?", r"courtraisienn?e?"),
    "mechelen": (r"mechelen", r"malines", r"mecheln", r"mechelse?"),
    "eupen": (r"eupen", r"eupener", r"eupenoise?"),
    "charleroi": (r"charleroi", r"carolo", r"carolorégienne?"),
    "ostend": (r"oostende", r"ostende", r"ostend", r"oostendse?"),
    "tournai": (r"doornik", r"tournai", r"tournaisienn?e?"),
    "hasselt": (r"hasselt", r"hasseltse?"),
    "aalst": (r"aalst", r"alost", r"aalsterse?"),
    "arlon": (r"aarlen", r"arlon", r"arel"),
    "wavre": (r"waver", r"wavre"),
    "nivelles": (r"nijvel", r"nivelles"),
    "tongeren": (r"tongeren", r"tongres"),
    "ypres": (r"ieper", r"ypres", r"yperen"),
    "genk": (r"genk",),
    "belgium": (
        r"belgium", r"belgie", r"belgique", r"belgien", r"belgian", r"belgische?", r"belge",
    ),
    "flanders": (r"flanders", r"vlaanderen", r"flandre", r"flandern", r"vlaamse?", r"flemish"),
    "wallonia": (r"wallonia", r"wallonie", r"wallonien", r"waalse?", r"walloon", r"wallonne?"),
}

#: Months and weekdays, as they are written in the four languages (folded).
MONTHS = {
    1: ("january", "jan", "januari", "janvier", "janv", "januar", "janner"),
    2: ("february", "feb", "februari", "fevrier", "fevr", "februar"),
    3: ("march", "mar", "maart", "mars", "marz", "mrt"),
    4: ("april", "apr", "avril", "avr"),
    5: ("may", "mei", "mai"),
    6: ("june", "jun", "juni", "juin"),
    7: ("july", "jul", "juli", "juillet", "juil"),
    8: ("august", "aug", "augustus", "aout"),
    9: ("september", "sep", "sept", "septembre"),
    10: ("october", "oct", "oktober", "okt", "octobre"),
    11: ("november", "nov", "novembre"),
    12: ("december", "dec", "decembre", "dezember", "dez"),
}
WEEKDAYS = {
    0: ("monday", "maandag", "lundi", "montag"),
    1: ("tuesday", "dinsdag", "mardi", "dienstag"),
    2: ("wednesday", "woensdag", "mercredi", "mittwoch"),
    3: ("thursday", "donderdag", "jeudi", "donnerstag"),
    4: ("friday", "vrijdag", "vendredi", "freitag"),
    5: ("saturday", "zaterdag", "samedi", "samstag", "sonnabend"),
    6: ("sunday", "zondag", "dimanche", "sonntag"),
}
#: "next Monday", "volgende maandag", "lundi prochain", "nächsten Montag".
NEXT = (
    "next", "coming", "volgende", "komende", "prochain", "prochaine", "nachsten", "nachster",
    "kommenden", "kommender", "this", "deze", "ce", "diesen", "dieser",
)
TOMORROW = ("tomorrow", "morgen", "demain")
#: "The second Sunday of October", "de tweede zondag van oktober", "le deuxième dimanche
#: d'octobre", "am zweiten Sonntag im Oktober": which such weekday of the month (-1: the last).
ORDINALS = {
    1: (
        "first", "1st", "eerste", "1e", "1ste", "premier", "1er", "erste", "ersten", "erster",
        "1",
    ),
    2: (
        "second", "2nd", "tweede", "2e", "2de", "deuxieme", "2eme", "seconde", "zweite",
        "zweiten", "zweiter", "2",
    ),
    3: ("third", "3rd", "derde", "3e", "3de", "troisieme", "3eme", "dritte", "dritten", "3"),
    4: ("fourth", "4th", "vierde", "4e", "4de", "quatrieme", "4eme", "vierte", "vierten", "4"),
    5: ("fifth", "5th", "vijfde", "5e", "5de", "cinquieme", "5eme", "funfte", "funften", "5"),
    -1: ("last", "laatste", "dernier", "letzte", "letzten", "letzter"),
}
#: "of October", "van oktober", "d'octobre", "du mois d'octobre", "im Oktober".
OF_MONTH = (
    "of", "in", "van", "de", "d", "du mois de", "du mois d", "en", "im", "des monats", "im monat",
)

#: Events around an election whose dates are not the polling day ("the debate on 5 October").
EVENTS = (
    r"debates?", r"rall(?:y|ies)", r"meetings?", r"results?", r"count(?:ing)?", r"deadline",
    r"registration", r"register", r"party", r"parties", r"fair", r"concert", r"festival",
    r"conference", r"launch", r"debat\w*", r"bijeenkomst\w*", r"uitslag\w*", r"inschrijving\w*",
    r"resultat\w*", r"inscription\w*", r"reunion\w*", r"fete", r"debatte\w*", r"kundgebung\w*",
    r"ergebnis\w*", r"anmeldung\w*", r"versammlung\w*", r"fest\w*", r"campaign\w*",
    r"campagne\w*", r"wahlkampf\w*", r"training", r"workshop", r"since", r"sinds", r"depuis",
    r"seit", r"until", r"tot", r"jusqu", r"bis",
)

#: Words in the lexicon that leet or repeated letters may hide: "v0te", "smsss", "@pp".
VOCABULARY = frozenset(
    {
        "vote", "votes", "voter", "voters", "voting", "votez", "election", "elections", "ballot",
        "ballots", "poll", "polls", "polling", "station", "stations", "candidate", "sms", "app",
        "apps", "phone", "online", "internet", "email", "mail", "text", "message", "whatsapp",
        "closed", "moved", "postponed", "cancelled", "official", "stemmen", "stem", "stemt",
        "verkiezing", "verkiezingen", "stembureau", "stembureaus", "stembus", "gesloten",
        "verplaatst", "uitgesteld", "afgelast", "kiezer", "kiezers", "telefoon", "officieel",
        "officiele", "electeur", "electeurs", "scrutin", "bureau", "bureaux", "ferme",
        "fermes", "reporte", "reportee", "annule", "annulee", "ligne", "telephone", "appli",
        "officiel", "officielle", "wahl", "wahlen", "wahlt", "wahllokal", "wahllokale", "stimme",
        "stimmen", "geschlossen", "verschoben", "abgesagt", "telefon", "handy", "offiziell",
        "offizielle", "mayor", "burgemeester", "bourgmestre", "maire", "kandidaat", "candidat",
        "kandidat", "letter", "brief", "lettre", "interior", "binnenlandse", "interieur",
        "inneres", "clone", "voice", "voix", "photo", "foto", "realistic", "deepfake", "sunday",
        "monday", "zondag", "maandag", "dimanche", "lundi", "sonntag", "montag", "october",
        "oktober", "octobre", "booth", "id", "bill", "twice", "only", "alleen",
        "seulement", "nur", "kiescommissie", "wahlleiter", "returning", "officer", "seal",
        "stamp", "logo",
    }
)

#: First names and particles: never matched alone as a person's surname ("Martin", "Van").
COMMON_NAMES = frozenset(
    {
        "martin", "simon", "thomas", "michel", "laurent", "lambert", "francois", "peter",
        "jacques", "marie", "pierre", "louis", "paul", "vincent", "olivier", "julien", "de",
        "van", "der", "den", "el", "le", "la", "du", "von", "ten", "ter",
    }
)
# fmt: on
