"""TF-IDF word vectors in plain Python, for telling how alike two texts are.

Theme suggestions and related stories compare a few thousand texts at most, so
dictionaries do the job that scikit-learn, scipy and numpy used to do (267 MB
installed; importing them took a worker from 54 to 138 MB). The weighting is
the one those jobs used and their labelled tests were tuned with: words are
runs of two or more letters or digits, lower-cased, common English words left
out; a word counts 1 + ln(times it occurs), times its smoothed inverse
document frequency ln((1 + n) / (1 + df)) + 1; vectors have length 1, so a dot
product is the cosine similarity.
"""

import math
import re
from collections import Counter

from articles.text import UNSPACED

# The same words as scikit-learn's \b\w\w+\b (a greedy run of word characters ends at a
# word boundary anyway), found a quarter faster.
_WORD = re.compile(r"\w\w+")
# A run of an unspaced script's characters, or of other word characters.
_SCRIPTS = re.compile(f"{UNSPACED.pattern}+|(?:(?!{UNSPACED.pattern})\\w)+")

# scikit-learn's ENGLISH_STOP_WORDS (BSD licence; the Glasgow Information Retrieval Group's
# list), which the labelled tests were tuned with.
STOP_WORDS = frozenset(
    """
    a about above across after afterwards again against all almost alone along already also although always am
    among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere are around as at
    back be became because become becomes becoming been before beforehand behind being below beside besides
    between beyond bill both bottom but by call can cannot cant co con could couldnt cry de describe detail do
    done down due during each eg eight either eleven else elsewhere empty enough etc even ever every everyone
    everything everywhere except few fifteen fifty fill find fire first five for former formerly forty found
    four from front full further get give go had has hasnt have he hence her here hereafter hereby herein
    hereupon hers herself him himself his how however hundred i ie if in inc indeed interest into is it its
    itself keep last latter latterly least less ltd made many may me meanwhile might mill mine more moreover
    most mostly move much must my myself name namely neither never nevertheless next nine no nobody none noone
    nor not nothing now nowhere of off often on once one only onto or other others otherwise our ours ourselves
    out over own part per perhaps please put rather re same see seem seemed seeming seems serious several she
    should show side since sincere six sixty so some somehow someone something sometime sometimes somewhere
    still such system take ten than that the their them themselves then thence there thereafter thereby
    therefore therein thereupon these they thick thin third this those though three through throughout thru thus
    to together too top toward towards twelve twenty two un under until up upon us very via was we well were
    what whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever whether which
    while whither who whoever whole whom whose why will with within without would yet you your yours yourself
    yourselves
    """.split()  # noqa: SIM905 (a list literal would take 318 lines)
)


def words(text):
    """The words of `text` that can say what it is about. Markup needs no stripping: tags and
    Markdown signs are either punctuation or short words like "b" and "em" that carry no weight.
    In a script written without spaces, where a run would be a whole sentence, each pair of
    neighbouring characters is a word (the usual way to index Chinese and Japanese)."""
    found = []
    for run in _WORD.findall(text.lower()):
        if not UNSPACED.search(run):
            if run not in STOP_WORDS:
                found.append(run)
            continue
        for part in _SCRIPTS.findall(run):
            if UNSPACED.match(part):
                found += [part[i : i + 2] for i in range(len(part) - 1)] or [part]
            elif len(part) > 1 and part not in STOP_WORDS:
                found.append(part)
    return found


def normalised(weights):
    length = math.sqrt(sum(weight * weight for weight in weights.values()))
    return {word: weight / length for word, weight in weights.items()} if length else {}


def cosine(one, other):
    """The cosine similarity of two normalised vectors (dicts of word → weight)."""
    if len(other) < len(one):
        one, other = other, one
    return sum(weight * other.get(word, 0.0) for word, weight in one.items())


class Vectoriser:
    """Inverse document frequencies learned from some texts' words, and vectors weighted by them."""

    def __init__(self, documents):
        """`documents`: an iterable of word lists (see `words`)."""
        counts = Counter()
        total = 0
        for document in documents:
            counts.update(set(document))
            total += 1
        self.idf = {word: math.log((1 + total) / (1 + df)) + 1 for word, df in counts.items()}
        # A word none of the texts had still counts towards a vector's length, so text about
        # something unknown scores low against everything known.
        self.unseen_idf = math.log(1 + total) + 1

    def vector(self, document):
        """The normalised vector of a word list, as a dict of word → weight."""
        idf, unseen = self.idf, self.unseen_idf
        return normalised(
            {word: (1 + math.log(count)) * idf.get(word, unseen) for word, count in Counter(document).items()}
        )
