"""The answer stage: question preparation, bound evidence, reading, verification, refusal.

Modules: `query` (language, follow-ups, search terms, sub-questions), `tables`
(self-describing table rows),
`reading` (one Reader per provider), `verify` (every sentence checked against a cited
passage), `refusal` (the fitted answer-or-refuse model) and `answerer` (composition).
Which document and place a passage speaks for is `assistant.identity`, below the index.
"""

from assistant.answer.answerer import Answerer
from assistant.answer.query import detect_lang, glossary_terms
from assistant.answer.records import Answer, Citation, Retrieved
from assistant.answer.text import bigrams, prompt

__all__ = [
    "Answer",
    "Answerer",
    "Citation",
    "Retrieved",
    "bigrams",
    "detect_lang",
    "glossary_terms",
    "prompt",
]
