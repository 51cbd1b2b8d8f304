"""Italian cues (see the package's docstring for what each list is for)."""

FUNCTION_WORDS = [
    "il",
    "lo",
    "la",
    "i",
    "gli",
    "le",
    "un",
    "uno",
    "una",
    "del",
    "dello",
    "della",
    "dei",
    "degli",
    "delle",
    "di",
    "da",
    "in",
    "con",
    "su",
    "per",
    "tra",
    "fra",
    "al",
    "allo",
    "alla",
    "agli",
    "alle",
    "dal",
    "dalla",
    "nel",
    "nella",
    "sul",
    "sulla",
    "e",
    "ed",
    "o",
    "ma",
    "che",
    "chi",
    "cui",
    "io",
    "mi",
    "me",
    "mio",
    "mia",
    "miei",
    "mie",
    "tu",
    "ti",
    "te",
    "tuo",
    "tua",
    "lui",
    "lei",
    "noi",
    "ci",
    "nostro",
    "nostra",
    "voi",
    "vi",
    "vostro",
    "vostra",
    "loro",
    "si",
    "questo",
    "questa",
    "questi",
    "queste",
    "quello",
    "quella",
    "è",
    "sono",
    "sei",
    "siamo",
    "era",
    "ho",
    "hai",
    "ha",
    "abbiamo",
    "avete",
    "hanno",
    "posso",
    "può",
    "puo",
    "potete",
    "vorrei",
    "voglio",
    "volevo",
    "devo",
    "cosa",
    "quando",
    "dove",
    "perché",
    "perche",
    "quale",
    "quali",
    "già",
    "gia",
    "molto",
    "più",
    "piu",
    "anche",
    "solo",
    "sì",
    "si",
    "non",
    "né",
]
COURTESY = [
    "ciao",
    "salve",
    "buongiorno",
    "buonasera",
    "grazie",
    "mille",
    "cortesia",
    "favore",
    "cordiali",
    "saluti",
    "gentile",
    "gentili",
    "ok",
    "va",
    "bene",
    "perfetto",
    "ottimo",
    "arrivederci",
    "signor",
    "signora",
]
THANKS = ["grazie"]
REQUEST = (
    r"\b(?:cosa|quando|dove|perch[eé]|quale|quali|voglio|vorrei|posso|potete|"
    r"potreste|per favore|mi serve)\b"
)

FAILED = (
    r"\b(?:ho|abbiamo)\s+(?:gi[aà]\s+)?(?:provato|tentato|cliccato|premuto|seguito i passi)\b"
    r"|\bgi[aà]\s+(?:provato|fatto|chiesto|cliccato|inviato)\b"
    r"|\bancora (?:non|niente|nulla)\b|\bcontinua a non\b"
    r"|\bnon (?:arriva|[eè] arrivat[oa]|funziona|carica) mai\b|\bmai arrivat[oa]\b"
    r"|\bresta a caricare\b|\bnon (?:carica|risponde)\b|\bnon succede (?:niente|nulla)\b"
    r"|\b(?:scadut[oa]|non (?:[eè] )?(?:pi[uù] )?valid[oa])\b|\bd[aà] errore\b|\besce un errore\b"
    # Three times or more, not twice: as in English, "charged twice" is the problem itself.
    r"|\b(?:tre|quattro|cinque|varie|molte|<num>)\s+volte\b|\bogni volta\b"
    r"|\bda\s+(?:<num>|due|tre|quattro|cinque|diversi|molti)\s+giorni\b"
    r"|\bnon funziona\b"
)
NEGATION = (
    r"(?:^|(?<=[\s,.;!?]))(?:io\s+)?non\s+(?:voglio|vorrei|devo|intendo|sto chiedendo|"
    r"chiedo|desidero)\s+"
    r"|(?:^|(?<=[\s,.;!?]))non (?:mi serve|ho bisogno di|c'[eè] bisogno di)\s+"
    r"|(?:^|(?<=[,.;!?]\s)|(?<=per favore\s))non\s+(?=annull|cancell|elimin)"
)
CLAUSE_END = r"\b(?:ma|solo|soltanto|solamente|semplicemente|invece|voglio|vorrei|mi serve)\b"
SPLIT = (
    r"\b(?:e anche|anche|e inoltre|inoltre|un'altra cosa|altra cosa|in pi[uù]|"
    r"oltre a questo|e poi)\b"
)
_PERSON = (
    r"(?:una |un |uno |con |qualcuno )?(?:persona|operatore|operatrice|umano|addetto|"
    r"addetta|dipendente|consulente)(?: reale| vera| vero| umano| in carne e ossa)?"
)
ASK_PERSON = (
    r"\b(?:parlare|chattare)\s+con\s+" + _PERSON + r"\b"
    r"|\b(?:passatemi|passami|mi passi|mettetemi in contatto con)\s+" + _PERSON + r"\b"
    r"|\b(?:seguito|seguita|assistito|assistita)\s+da\s+" + _PERSON + r"\b"
    r"|\b(?:persona (?:reale|vera|in carne e ossa)|operatore umano|essere umano)\b"
    r"|\bnon (?:voglio )?un (?:bot|robot)\b"
)
ASK_PERSON_WHOLE = r"(?:un |una )?(?:operatore|umano|persona)(?: per favore)?"
NOT_BEFORE_ASK = r"\b(?:non|senza|mai)\b"
