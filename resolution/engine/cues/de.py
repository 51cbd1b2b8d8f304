"""German cues (see the package's docstring for what each list is for)."""

FUNCTION_WORDS = [
    "der",
    "die",
    "das",
    "den",
    "dem",
    "des",
    "ein",
    "eine",
    "einen",
    "einem",
    "einer",
    "eines",
    "und",
    "oder",
    "aber",
    "auch",
    "zu",
    "im",
    "in",
    "am",
    "an",
    "auf",
    "aus",
    "bei",
    "mit",
    "nach",
    "von",
    "vor",
    "für",
    "über",
    "um",
    "ich",
    "mich",
    "mir",
    "mein",
    "meine",
    "meinen",
    "meinem",
    "meiner",
    "du",
    "dich",
    "dir",
    "dein",
    "deine",
    "er",
    "sie",
    "es",
    "wir",
    "uns",
    "unser",
    "unsere",
    "ihr",
    "euch",
    "euer",
    "eure",
    "ihnen",
    "ihre",
    "ist",
    "sind",
    "bin",
    "war",
    "waren",
    "habe",
    "hat",
    "haben",
    "hatte",
    "kann",
    "können",
    "konnen",
    "kannst",
    "koennt",
    "könnt",
    "konnt",
    "will",
    "möchte",
    "mochte",
    "moechte",
    "würde",
    "wurde",
    "muss",
    "soll",
    "wie",
    "was",
    "wann",
    "wo",
    "warum",
    "welche",
    "welcher",
    "wer",
    "schon",
    "noch",
    "sehr",
    "nur",
    "so",
    "da",
    "dass",
    "ob",
    "denn",
    "mal",
    "nicht",
    "kein",
    "keine",
    "ja",
    "nein",
]
COURTESY = [
    "hallo",
    "hi",
    "hey",
    "guten",
    "tag",
    "morgen",
    "abend",
    "danke",
    "dankeschön",
    "vielen",
    "dank",
    "bitte",
    "grüße",
    "gruß",
    "gruesse",
    "mfg",
    "lg",
    "viele",
    "liebe",
    "freundlichen",
    "ok",
    "okay",
    "super",
    "prima",
    "tschüss",
    "ciao",
    "sehr",
    "geehrte",
    "geehrter",
    "damen",
    "herren",
    "team",
]
THANKS = ["danke", "dankeschön", "dank"]
REQUEST = (
    r"\b(?:wie|wann|wo|warum|welche[rsn]?|kann|k[oö]nnt|k[oö]nnen|m[oö]chte|will|"
    r"brauche|bitte)\b"
)

FAILED = (
    r"\b(?:ich|wir)\s+(?:habe|haben)\s+(?:schon\s+|bereits\s+)?(?:\w+\s+){0,4}?"
    r"(?:versucht|probiert|geklickt|gedr[uü]ckt|befolgt)\b"
    r"|\b(?:schon|bereits)\s+(?:\w+\s+){0,2}?(?:versucht|probiert|geklickt|angefordert)\b"
    r"|\bimmer noch (?:nicht|kein\w*|nichts)\b|\bnoch immer (?:nicht|kein\w*|nichts)\b"
    r"|\b(?:kommt|kam|kommen)\s+(?:\w+\s+){0,2}?nie\b|\bnie\s+angekommen\b"
    r"|\b(?:l[aä]dt|reagiert)\s+(?:\w+\s+){0,2}?nicht\b|\bl[aä]dt nur\b|\bh[aä]ngt\b"
    r"|\bnichts passiert\b|\bpassiert nichts\b|\bfehlermeldung\b|\bfehler\b"
    r"|\b(?:abgelaufen|ung[uü]ltig)\b"
    # Three times or more, not twice: as in English, "charged twice" is the problem itself.
    r"|\b(?:dreimal|viermal|f[uü]nfmal|mehrmals|mehrfach|<num>\s*mal)\b"
    r"|\bjedes mal\b|\bimmer wieder\b"
    r"|\bseit\s+(?:<num>|zwei|drei|vier|f[uü]nf|mehreren|vielen)\s+(?:tagen|wochen|stunden)\b"
    r"|\bfunktioniert (?:nicht|immer noch nicht)\b|\bgeht nicht\b|\bklappt nicht\b"
)
# German puts "nicht" after the object ("Ich will mein Konto nicht löschen"): the wish is
# negated when a nicht/nichts/kein follows within a few words; the phrase runs to the clause end.
NEGATION = (
    r"(?:^|(?<=[\s,.;!?]))(?:ich|wir)\s+(?:will|wollte|m[oö]chte|moechte|brauche|muss|"
    r"habe vor)\s+(?=(?:\S+\s+){0,4}?(?:nicht|nichts|kein\w*)\b)"
    r"|(?:^|(?<=[\s,.;!?]))(?:ich|wir)\s+(?:will|m[oö]chte|brauche)\s+(?:nicht|nichts|kein\w*)\s+"
    r"|(?:^|(?<=[,.;!?]\s)|(?<=bitte\s))(?:nicht|nichts)\s+(?=storn|l[oö]sch|k[uü]ndig)"
)
CLAUSE_END = r"\b(?:aber|sondern|nur|lediglich|stattdessen|ich m[oö]chte|ich will|ich brauche)\b"
SPLIT = (
    r"\b(?:und au[sß]erdem|au[sß]erdem|und auch|noch was|noch etwas|zus[aä]tzlich|"
    r"dar[uü]ber hinaus|zweitens|ebenso)\b"
    # "und möchte mich auch abmelden": "auch" alone is too common in German to split on, so
    # "und" opening a second wish does it (English's "and" before "can", "i want", ...).
    r"|,?\s*\bund\s+(?=(?:m[oö]chte|will|w[uü]rde|brauche|k[oö]nnt|k[oö]nnen|kann|bitte)\b)"
)
_PERSON = (
    r"(?:einem |einer |einen |mit )?(?:echten |richtigen |menschlichen |lebenden )?"
    r"(?:menschen|mensch|mitarbeiter(?:in)?|person|ansprechpartner(?:in)?|berater(?:in)?|"
    r"kundenberater(?:in)?)"
)
ASK_PERSON = (
    r"\b(?:mit|zu)\s+" + _PERSON + r"\s+(?:sprechen|reden|chatten|verbunden)\b"
    r"|\b(?:verbinden sie mich|verbindet mich|verbinde mich|stellen sie mich durch)\s+"
    r"(?:bitte\s+)?(?:mit|zu)\s+" + _PERSON + r"\b"
    r"|\b(?:echte[nr]?|richtige[nr]?|lebende[nr]?) (?:mensch|menschen|person)\b"
    r"|\bmenschliche[nr]? (?:mitarbeiter|ansprechpartner|berater)\b"
    r"|\b(?:will|m[oö]chte|brauche|h[aä]tte gerne?)\s+(?:einen |eine )?(?:echten |richtigen )?"
    r"(?:menschen|mitarbeiter|ansprechpartner)\b"
    r"|\bkein(?:en)? (?:bot|roboter|maschine)\b"
)
ASK_PERSON_WHOLE = r"(?:ein |einen )?(?:mensch|menschen|mitarbeiter)(?: bitte)?"
NOT_BEFORE_ASK = r"\b(?:nicht|kein\w*|ohne|nie)\b"
