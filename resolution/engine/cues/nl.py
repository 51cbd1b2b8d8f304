"""Dutch cues (see the package's docstring for what each list is for)."""

FUNCTION_WORDS = [
    "de",
    "het",
    "een",
    "en",
    "of",
    "maar",
    "dat",
    "die",
    "dit",
    "deze",
    "van",
    "in",
    "op",
    "aan",
    "bij",
    "met",
    "voor",
    "naar",
    "om",
    "uit",
    "tot",
    "ik",
    "me",
    "mij",
    "mijn",
    "jij",
    "je",
    "jou",
    "jouw",
    "u",
    "uw",
    "hij",
    "zij",
    "ze",
    "wij",
    "we",
    "ons",
    "onze",
    "jullie",
    "hun",
    "hen",
    "er",
    "is",
    "zijn",
    "ben",
    "was",
    "waren",
    "heb",
    "hebt",
    "heeft",
    "hebben",
    "had",
    "kan",
    "kun",
    "kunt",
    "kunnen",
    "wil",
    "wilt",
    "willen",
    "zou",
    "zouden",
    "moet",
    "moeten",
    "mag",
    "hoe",
    "wat",
    "wanneer",
    "waar",
    "waarom",
    "welke",
    "wie",
    "al",
    "nog",
    "heel",
    "erg",
    "ook",
    "alleen",
    "wel",
    "niet",
    "geen",
    "ja",
    "nee",
    "graag",
]
COURTESY = [
    "hallo",
    "hoi",
    "hey",
    "goedemorgen",
    "goedemiddag",
    "goedenavond",
    "dag",
    "bedankt",
    "dank",
    "dankjewel",
    "dankuwel",
    "alvast",
    "vriendelijke",
    "groet",
    "groeten",
    "mvg",
    "gr",
    "aub",
    "alstublieft",
    "alsjeblieft",
    "ok",
    "oké",
    "prima",
    "super",
    "doei",
    "beste",
    "geachte",
    "heer",
    "mevrouw",
]
THANKS = ["bedankt", "dank", "dankjewel", "dankuwel"]
REQUEST = (
    r"\b(?:hoe|wat|wanneer|waar|waarom|welke|wil|wil graag|kan ik|kunnen jullie|"
    r"kunt u|zou|graag|aub|alstublieft)\b"
)

FAILED = (
    r"\b(?:ik|we|wij)\s+(?:heb|hebben)\s+(?:al\s+)?(?:\S+\s+){0,4}?"
    r"(?:geprobeerd|geklikt|gedrukt|gevolgd)\b"
    r"|\bnog steeds (?:niet|geen|niks|niets)\b|\bnog altijd (?:niet|geen)\b"
    r"|\bkomt (?:\S+\s+){0,2}?nooit\b|\bnooit (?:aangekomen|ontvangen)\b"
    r"|\bblijft (?:laden|hangen)\b|\blaadt niet\b|\breageert niet\b|\ber gebeurt (?:niks|niets)\b"
    r"|\b(?:verlopen|ongeldig|niet meer geldig)\b|\bfoutmelding\b|\bgeeft (?:een )?fout\b"
    # Three times or more, not twice: as in English, "charged twice" is the problem itself.
    r"|\b(?:drie|vier|vijf|meerdere|meermaals|<num>)\s+keer\b|\belke keer\b|\bsteeds weer\b"
    r"|\bal\s+(?:<num>|twee|drie|vier|vijf|een paar)\s+(?:dagen|weken)\b"
    r"|\bwerkt niet\b|\blukt niet\b"
)
# Dutch, like German, puts "niet" after the object ("Ik wil mijn account niet verwijderen").
NEGATION = (
    r"(?:^|(?<=[\s,.;!?]))(?:ik|we|wij)\s+(?:wil|wilde|hoef|moet|ben niet van plan)\s+"
    r"(?=(?:\S+\s+){0,4}?(?:niet|niks|niets|geen)\b)"
    r"|(?:^|(?<=[,.;!?]\s)|(?<=aub\s))(?:niet|niks)\s+(?=annuler|verwijder|opzeg)"
)
CLAUSE_END = r"\b(?:maar|alleen|slechts|gewoon|enkel|in plaats|ik wil|ik heb)\b"
SPLIT = (
    r"\b(?:en ook|ook|en daarnaast|daarnaast|nog iets|verder|bovendien|ten tweede|"
    r"en verder)\b"
)
_PERSON = (
    r"(?:een |met een )?(?:echte |echt |menselijke )?(?:mens|persoon|medewerker|medewerkster|"
    r"adviseur|iemand)"
)
ASK_PERSON = (
    r"\b(?:met|naar)\s+" + _PERSON + r"\s+(?:praten|spreken|chatten|bellen)\b"
    r"|\b(?:verbind me|verbind mij|zet me|zet mij|stuur me)\s+(?:door\s+)?(?:met|naar)\s+"
    + _PERSON
    + r"\b"
    r"|\b(?:spreken|praten)\s+(?:met\s+)?" + _PERSON + r"\b"
    r"|\b(?:echt(?:e)? (?:mens|persoon|medewerker))\b|\bmenselijke medewerker\b"
    r"|\bgeen (?:bot|robot|machine)\b|\bgeholpen (?:worden )?door een (?:echt )?(?:mens|persoon)\b"
    r"|\bwil (?:een )?(?:medewerker|mens) spreken\b"
)
ASK_PERSON_WHOLE = r"(?:een )?(?:mens|medewerker|persoon)(?: graag| aub)?"
NOT_BEFORE_ASK = r"\b(?:niet|geen|zonder|nooit)\b"
