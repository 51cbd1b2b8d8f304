"""French cues (see the package's docstring for what each list is for)."""

FUNCTION_WORDS = [
    "le",
    "la",
    "les",
    "l",
    "un",
    "une",
    "des",
    "du",
    "de",
    "d",
    "au",
    "aux",
    "et",
    "ou",
    "mais",
    "donc",
    "or",
    "ni",
    "que",
    "qu",
    "qui",
    "quoi",
    "dont",
    "en",
    "dans",
    "sur",
    "sous",
    "avec",
    "pour",
    "par",
    "sans",
    "chez",
    "je",
    "j",
    "me",
    "m",
    "moi",
    "mon",
    "ma",
    "mes",
    "tu",
    "te",
    "t",
    "toi",
    "ton",
    "ta",
    "tes",
    "il",
    "elle",
    "on",
    "nous",
    "vous",
    "votre",
    "vos",
    "leur",
    "leurs",
    "ils",
    "elles",
    "se",
    "s",
    "ce",
    "cet",
    "cette",
    "ces",
    "ça",
    "ca",
    "est",
    "sont",
    "suis",
    "es",
    "etait",
    "était",
    "as",
    "avons",
    "avez",
    "ont",
    "a",
    "y",
    "peux",
    "peut",
    "pouvez",
    "puis",
    "veux",
    "voudrais",
    "voulais",
    "dois",
    "faut",
    "comment",
    "quand",
    "où",
    "ou",
    "pourquoi",
    "quel",
    "quelle",
    "quels",
    "quelles",
    "très",
    "tres",
    "déjà",
    "deja",
    "aussi",
    "juste",
    "seulement",
    "ne",
    "pas",
    "plus",
    "non",
    "oui",
    "si",
]
COURTESY = [
    "bonjour",
    "bonsoir",
    "salut",
    "coucou",
    "merci",
    "beaucoup",
    "svp",
    "stp",
    "plait",
    "cordialement",
    "madame",
    "monsieur",
    "bonne",
    "journée",
    "journee",
    "soirée",
    "ok",
    "d'accord",
    "parfait",
    "super",
    "génial",
    "genial",
    "au",
    "revoir",
    "bisous",
]
THANKS = ["merci"]
REQUEST = (
    r"\b(?:comment|quoi|quand|o[uù]|pourquoi|quel(?:le)?s?|je veux|je voudrais|pouvez|"
    r"pourriez|puis-je|est-ce que|svp|s'il vous pla[iî]t)\b"
)

FAILED = (
    r"\b(?:j'ai|nous avons|on a)\s+(?:d[eé]j[aà]\s+)?(?:essay[eé]|tent[eé]|cliqu[eé]|suivi les|"
    r"appuy[eé])\b"
    r"|\bd[eé]j[aà]\s+(?:essay[eé]|fait|demand[eé]|cliqu[eé]|envoy[eé])\b"
    r"|\btoujours pas\b|\btoujours rien\b|\btoujours le m[eê]me\b"
    r"|\b(?:n'arrive|n'est arriv[eé]e?|ne (?:marche|fonctionne|charge|r[eé]pond))\s+jamais\b"
    r"|\bjamais (?:re[cç]u|arriv[eé])\b|\bne charge pas\b|\bne r[eé]pond pas\b"
    r"|\btourne (?:dans le vide|en boucle)\b|\bbloqu[eé]e?\b|\brien ne se passe\b"
    r"|\b(?:expiré(?:e|s|es)?|a expire|invalide|n'est plus valide)\b"
    r"|\bmessage d'erreur\b|\bune erreur\b"
    # Three times or more, not twice: as in English, "charged twice" is the problem itself.
    r"|\b(?:trois|quatre|cinq|plusieurs|<num>)\s+fois\b|\b[aà] chaque fois\b"
    r"|\bdepuis\s+(?:<num>|deux|trois|quatre|cinq|plusieurs)\s+(?:jours|semaines|heures)\b"
    r"|\bne (?:marche|fonctionne) (?:pas|plus)\b|\bmarche pas\b"
)
NEGATION = (
    r"(?:^|(?<=[\s,.;!?]))(?:je|j'|nous|on)\s*(?:ne|n')\s*(?:veux|voudrais|souhaite|demande|"
    r"cherche|compte|veut|voulons)\s+(?:pas|rien|plus|aucun\w*)\s+(?:de\s+|d'|à\s+)?"
    r"|(?:^|(?<=[\s,.;!?]))(?:je|j'|nous)\s*(?:n'ai|n'avons)\s+pas\s+besoin\s+(?:de\s+|d')?"
    r"|(?:^|(?<=[\s,.;!?]))pas besoin\s+(?:de\s+|d')?"
    r"|(?:^|(?<=[,.;!?]\s)|(?<=svp\s))n'(?=annul|suppr|effac)"
)
CLAUSE_END = r"\b(?:mais|juste|seulement|simplement|plut[oô]t|uniquement|je veux|je voudrais)\b"
SPLIT = (
    r"\b(?:et aussi|aussi|et en plus|en plus|autre chose|de plus|par ailleurs|"
    r"[eé]galement|deuxi[eè]mement)\b"
)
_PERSON = (
    r"(?:une |un |quelqu'un de |à une |à un )?(?:vraie |vrai |vrais )?"
    r"(?:personne|humain|conseill[eè]re?|agent|op[eé]rat(?:eur|rice)|employ[eé]e?|"
    r"[eê]tre humain)(?: humain| r[eé]el(?:le)?)?"
)
ASK_PERSON = (
    r"\b(?:parler|discuter)\s+(?:avec|à|a)\s+" + _PERSON + r"\b"
    r"|\b(?:passez-moi|passe-moi|passez moi|mettez-moi en relation avec|mettez moi en relation"
    r" avec|transf[eé]rez-moi (?:vers|à))\s+" + _PERSON + r"\b"
    r"|\b(?:vraie personne|vrai humain|[eê]tre humain|conseiller humain|agent humain)\b"
    r"|\bpas (?:un|de) (?:robot|bot|machine)\b"
    r"|\baffaire (?:à|a) un (?:[eê]tre humain|humain|conseiller)\b"
)
ASK_PERSON_WHOLE = r"(?:un |une )?(?:humain|conseiller|agent|personne)(?: svp| s'il vous plaît)?"
NOT_BEFORE_ASK = r"\b(?:ne|n'|pas|sans|jamais)\b"
