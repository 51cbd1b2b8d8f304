"""Portuguese cues, European and Brazilian (see the package's docstring for each list)."""

FUNCTION_WORDS = [
    "o",
    "a",
    "os",
    "as",
    "um",
    "uma",
    "uns",
    "umas",
    "do",
    "da",
    "dos",
    "das",
    "de",
    "em",
    "no",
    "na",
    "nos",
    "nas",
    "ao",
    "aos",
    "à",
    "às",
    "pelo",
    "pela",
    "por",
    "para",
    "com",
    "sem",
    "sobre",
    "e",
    "ou",
    "mas",
    "que",
    "me",
    "mim",
    "meu",
    "minha",
    "meus",
    "minhas",
    "tu",
    "te",
    "você",
    "voce",
    "vocês",
    "voces",
    "seu",
    "sua",
    "seus",
    "suas",
    "ele",
    "ela",
    "eles",
    "elas",
    "nós",
    "nos",
    "vos",
    "vosso",
    "vossa",
    "lhe",
    "lhes",
    "se",
    "este",
    "esta",
    "isto",
    "esse",
    "essa",
    "isso",
    "é",
    "e",
    "sou",
    "são",
    "sao",
    "era",
    "foi",
    "estou",
    "está",
    "esta",
    "estão",
    "tenho",
    "tem",
    "têm",
    "temos",
    "posso",
    "pode",
    "podem",
    "podiam",
    "quero",
    "queria",
    "gostaria",
    "preciso",
    "como",
    "quando",
    "onde",
    "qual",
    "quais",
    "quem",
    "porque",
    "porquê",
    "já",
    "ja",
    "muito",
    "mais",
    "também",
    "tambem",
    "só",
    "so",
    "não",
    "nao",
    "sim",
]
COURTESY = [
    "olá",
    "ola",
    "oi",
    "bom",
    "boa",
    "dia",
    "tarde",
    "noite",
    "obrigado",
    "obrigada",
    "muito",
    "cumprimentos",
    "favor",
    "pf",
    "pfv",
    "beijos",
    "abraço",
    "ok",
    "certo",
    "perfeito",
    "ótimo",
    "otimo",
    "tchau",
    "adeus",
    "caro",
    "cara",
    "prezado",
    "prezada",
]
THANKS = ["obrigado", "obrigada"]
REQUEST = (
    r"\b(?:como|o que|quando|onde|por ?qu[eê]|qual|quais|quero|queria|gostaria|"
    r"preciso|posso|podem|poderiam|por favor)\b"
)

FAILED = (
    r"\b(?:tentei|experimentei|cliquei|carreguei em|segui os passos)\b|"
    r"\bj[aá] (?:pedi|solicitei|fiz|enviei)\b"
    r"|\b(?:j[aá]\s+)?(?:tenho|temos)\s+(?:tentado|pedido|clicado)\b"
    r"|\bcontinua (?:sem|a n[aã]o|n[aã]o)\b|\bainda n[aã]o (?:funciona|chegou o email|deixa)\b"
    r"|\bnunca\s+(?:me\s+)?(?:chega|chegou|funciona|carrega)\b"
    r"|\bfica a carregar\b|\bfica carregando\b|\bn[aã]o (?:carrega|responde|faz nada)\b"
    r"|\b(?:expirou|expirado|inv[aá]lido|j[aá] n[aã]o [eé] v[aá]lido)\b"
    # Three times or more, not twice: as in English, "charged twice" is the problem itself.
    r"|\b(?:tr[eê]s|quatro|cinco|v[aá]rias|muitas|<num>)\s+vezes\b|\bsempre que\b"
    r"|\bh[aá]\s+(?:<num>|dois|tr[eê]s|quatro|cinco|v[aá]rios)\s+dias\b"
    r"|\bn[aã]o funciona\b|\bd[aá] erro\b|\baparece (?:um )?erro\b"
)
NEGATION = (
    r"(?:^|(?<=[\s,.;!?]))(?:eu\s+)?n[aã]o\s+(?:quero|queria|preciso|pretendo|estou a pedir|"
    r"estou pedindo|desejo)\s+(?:de\s+)?"
    r"|(?:^|(?<=[\s,.;!?]))n[aã]o (?:[eé] preciso|h[aá] necessidade de)\s+"
    r"|(?:^|(?<=[,.;!?]\s)|(?<=por favor\s))n[aã]o\s+(?=cancel|apag|elimin|anul)"
)
CLAUSE_END = r"\b(?:mas|só|apenas|somente|simplesmente|em vez|quero|preciso)\b"
SPLIT = (
    r"\b(?:e tamb[eé]m|tamb[eé]m|e al[eé]m disso|al[eé]m disso|outra coisa|por outro lado|"
    r"e ainda)\b"
)
_PERSON = (
    r"(?:uma |um |algu[eé]m )?(?:pessoa|humano|atendente|agente|operador|funcion[aá]rio|"
    r"assistente)(?: real| de verdade| humano)?"
)
ASK_PERSON = (
    r"\b(?:falar|conversar)\s+com\s+" + _PERSON + r"\b"
    r"|\b(?:passe-me|passa-me|me passa|me passe|passem-me)\s+(?:a|para|com)\s+" + _PERSON + r"\b"
    r"|\b(?:atendido|atendida)\s+por\s+" + _PERSON + r"\b"
    r"|\b(?:pessoa|humano) (?:real|de verdade)\b|\b(?:atendente|agente) humano\b"
    r"|\balgu[eé]m de verdade\b|\bn[aã]o quero (?:um )?rob[oô]\b"
)
ASK_PERSON_WHOLE = r"(?:um |uma )?(?:humano|atendente|pessoa|agente)(?: por favor)?"
NOT_BEFORE_ASK = r"\b(?:n[aã]o|sem|nunca)\b"
