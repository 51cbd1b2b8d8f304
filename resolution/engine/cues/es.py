"""Spanish cues (see the package's docstring for what each list is for)."""

FUNCTION_WORDS = [
    "el",
    "la",
    "los",
    "las",
    "un",
    "una",
    "unos",
    "unas",
    "lo",
    "al",
    "del",
    "de",
    "a",
    "en",
    "con",
    "por",
    "para",
    "sin",
    "sobre",
    "y",
    "o",
    "u",
    "e",
    "pero",
    "que",
    "yo",
    "me",
    "mi",
    "mis",
    "mio",
    "mia",
    "tu",
    "te",
    "tus",
    "su",
    "sus",
    "se",
    "nos",
    "nuestro",
    "nuestra",
    "vosotros",
    "os",
    "vuestro",
    "vuestra",
    "usted",
    "ustedes",
    "ellos",
    "ellas",
    "le",
    "les",
    "este",
    "esta",
    "esto",
    "estos",
    "estas",
    "ese",
    "esa",
    "eso",
    "es",
    "son",
    "soy",
    "era",
    "fue",
    "estoy",
    "esta",
    "estan",
    "he",
    "ha",
    "han",
    "hay",
    "hemos",
    "habeis",
    "tengo",
    "tiene",
    "tienen",
    "puedo",
    "puede",
    "pueden",
    "podeis",
    "podria",
    "quiero",
    "quisiera",
    "queria",
    "necesito",
    "como",
    "cuando",
    "donde",
    "cual",
    "cuales",
    "quien",
    "porque",
    "ya",
    "muy",
    "mas",
    "tambien",
    "solo",
    "si",
    "no",
    "ni",
    "está",
    "están",
    "más",
    "también",
    "sólo",
    "qué",
    "cómo",
    "dónde",
    "cuándo",
    "cuál",
    "mío",
    "mía",
    "él",
    "sí",
]
COURTESY = [
    "hola",
    "buenas",
    "buenos",
    "dias",
    "tardes",
    "noches",
    "gracias",
    "muchas",
    "saludos",
    "atentamente",
    "porfa",
    "favor",
    "por_favor",
    "vale",
    "ok",
    "perfecto",
    "genial",
    "adios",
    "hasta",
    "luego",
    "estimado",
    "estimados",
    "señor",
    "señora",
]
THANKS = ["gracias"]
REQUEST = (
    r"\b(?:c[oó]mo|qu[eé]|cu[aá]ndo|d[oó]nde|por qu[eé]|cu[aá]l|quiero|quisiera|"
    r"necesito|puedo|pueden|podr[ií]an|podeis|pod[eé]is|por favor)\b"
)

FAILED = (
    r"\b(?:ya\s+)?(?:he|hemos)\s+(?:intentado|probado|seguido|pulsado)\b"
    r"|\b(?:intent[eé]|prob[eé]|puls[eé]|le di|le he dado|segu[ií] los pasos)\b"
    r"|\bya\s+(?:lo\s+)?(?:intent[eé]|hice|prob[eé]|ped[ií]|solicit[eé]|envi[eé])\b"
    r"|\bsigue\s+sin\b|\btodav[ií]a\s+no\s+(?:funciona|llega|me deja)\b"
    r"|\bnunca\s+(?:me\s+)?(?:llega|lleg[oó]|funciona)\b"
    r"|\bno\s+(?:me\s+)?(?:carga|responde|hace nada)\b|\bse queda (?:cargando|colgad[oa])\b"
    r"|\b(?:caducad[oa]|expirad[oa]|no es v[aá]lido|inv[aá]lido)\b"
    # Three times or more, not twice: as in English, "charged twice" is the problem itself.
    r"|\b(?:tres|cuatro|cinco|varias|muchas|<num>)\s+veces\b"
    r"|\bcada vez\b|\buna y otra vez\b"
    r"|\bdesde hace\s+(?:<num>|dos|tres|cuatro|cinco|varios|muchos)\s+d[ií]as\b"
    r"|\bno funciona\b|\bno sirve\b|\bda error\b|\bsale un error\b"
)
NEGATION = (
    r"(?:^|(?<=[\s,.;!?¡¿]))(?:yo\s+)?no\s+(?:quiero|quisiera|necesito|pretendo|pido|busco|"
    r"estoy pidiendo|deseo)\s+(?:que\s+)?"
    r"|(?:^|(?<=[\s,.;!?¡¿]))no hace falta\s+(?:que\s+)?"
    r"|(?:^|(?<=[,.;!?]\s)|(?<=por favor\s))no\s+(?:cancel|borr|elimin|anul)\w*\s+"
)
CLAUSE_END = r"\b(?:pero|solo|s[oó]lo|solamente|sino|simplemente|en vez|quiero|necesito)\b"
SPLIT = (
    r"\b(?:y adem[aá]s|adem[aá]s|y tambi[eé]n|tambi[eé]n|otra cosa|por otro lado|"
    r"aparte de eso)\b"
)
_PERSON = (
    r"(?:una |un |alguna |alg[uú]n )?(?:persona|agente|humano|operador|operadora|empleado|"
    r"empleada|alguien|asesor|asesora)(?: real| de verdad| humano| de carne y hueso)?"
)
ASK_PERSON = (
    r"\b(?:hablar|habl[eé]|chatear|comunicarme)\s+con\s+" + _PERSON + r"\b"
    r"|\b(?:p[aá]same|p[aá]seme|p[aá]senme|p[aá]sadme|comun[ií]came|transfi[eé]reme)\s+"
    r"(?:con|a)\s+" + _PERSON + r"\b"
    r"|\bme\s+(?:atienda|atendiera|pueda atender|puede atender)\s+" + _PERSON + r"\b"
    r"|\b(?:persona|humano) (?:real|de verdad|de carne y hueso)\b|\bagente humano\b"
    r"|\balguien (?:real|de verdad)\b"
    r"|\b(?:quiero|necesito|prefiero|quisiera)\s+(?:hablar con\s+)?(?:una persona|un humano|"
    r"un agente|un operador|alguien real)\b"
)
ASK_PERSON_WHOLE = r"(?:un |una )?(?:humano|agente|persona|operador)(?: por favor)?"
NOT_BEFORE_ASK = r"\b(?:no|sin|nunca)\b"
