"""When two contributions are worth showing side by side: shared significant words, and distance when both are placed.

Pure Python (no database), so that bench/similar_bench.py measures the very rule the team's page uses.
"""

import math
import re
import unicodedata
from dataclasses import dataclass

_STOPWORDS = """
au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur leurs lui ma mais me meme
mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos
votre vous est sont etre avoir ont fait faire plus moins tres tout tous toute toutes aussi ainsi alors comme
donc car quand afin entre sans sous chez vers depuis pendant apres avant encore deja peu bien ici cela ceci
celle celui ceux peut peuvent pourrait faut doit devrait autre autres chaque quelques plusieurs certains
certaines lors nouveau nouvelle nouveaux nouvelles grand grande grands grandes petit petite petits petites paris
parisien parisienne parisiens ville quartier quartiers arrondissement rue propose proposition propositions
projet projets idee idees mission missions mettre creer place lieu lieux habitant habitants besoin permettre
boulevard avenue quai allee impasse villa cite porte devant derriere pres autour contre
"""
STOPWORDS = frozenset(_STOPWORDS.split())  # French function words, and words every contribution uses
MIN_SHARED = 3  # significant stems in common
MIN_SHARED_NEAR = 2  # ... or this many when both are placed within NEAR_METRES
NEAR_METRES = 300


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """A light French stemmer (after Savoy's minimal one): plurals, feminine and infinitive endings."""
    if len(word) < 5:
        return word
    if word.endswith("aux"):
        return word[:-3] + "al"
    for suffix in ("ements", "ement", "ations", "ation", "iers", "ieres", "ier", "iere", "eurs", "euse", "eur"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if word[-1] in "sx":
        word = word[:-1]
    if word[-1] in "re" and len(word) > 4:
        word = word[:-1]
    if word[-1] == "e" and len(word) > 4:
        word = word[:-1]
    if len(word) > 4 and word[-1] == word[-2]:
        word = word[:-1]
    return word


_WORD = re.compile(r"[a-z]+")


_TOKEN = re.compile(r"[\w-]+|[.!?:;]")


def significant_words(*texts: str, names: bool = False) -> dict[str, str]:
    """{stem: first word seen with that stem} of the words that carry meaning: no stopwords, 4 letters or more, and
    no names (a capital inside a sentence: "Voltaire", "Belleville") — they say where, which distance measures."""
    found: dict[str, str] = {}
    for text in texts:
        sentence_start = True
        for token in _TOKEN.findall(text or ""):
            if token in ".!?:;":
                sentence_start = True
                continue
            is_name = token[0].isupper() and not sentence_start
            sentence_start = False
            if is_name and not names:
                continue
            word = token.lower().strip("-")
            for folded in _WORD.findall(_fold(word)):
                if len(folded) < 4 or folded in STOPWORDS:
                    continue
                found.setdefault(stem(folded), word)
    return found


def distance_metres(a, b) -> float | None:
    """Great-circle distance between two (lon, lat) points, None if either is missing."""
    if a is None or b is None:
        return None
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class Reason:
    words: tuple[str, ...]  # the shared significant words, as written in the first contribution
    metres: int | None  # distance when both are placed


@dataclass(frozen=True)
class Profile:
    words: dict  # stem -> word, of the title and the text
    title: frozenset  # stems of the title, names of places included
    point: tuple | None  # (lon, lat)


def profile(title: str, text: str, point=None) -> Profile:
    return Profile(significant_words(title, text), frozenset(significant_words(title, names=True)), point)


def reason(a: Profile, b: Profile) -> Reason | None:
    """Why two contributions look alike, or None when they do not look alike enough to suggest: MIN_SHARED
    significant words, or MIN_SHARED_NEAR when both are placed within NEAR_METRES and their titles share a word (a name counts)."""
    shared = a.words.keys() & b.words.keys()
    metres = distance_metres(a.point, b.point)
    near = metres is not None and metres <= NEAR_METRES and bool(a.title & b.title)
    if len(shared) >= MIN_SHARED or (near and len(shared) >= MIN_SHARED_NEAR):
        return Reason(tuple(sorted({a.words[s] for s in shared})), round(metres) if metres is not None else None)
    return None
