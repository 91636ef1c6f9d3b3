"""The answer stage: a pipeline of small typed stages (docs/answering.md).

Stages, in order: `prepare` (a follow-up made to stand alone, an English question's
Chinese search terms, the `Question` record built once), `plan` (one part, one per
document, or one per sub-question), `bind` (passages bound to the asked places, as
`Evidence`), `part` (read by a `Reader` - `reading.LLMReader` or
`extractive.ExtractiveReader` - then `verify`, the off-target `rules`, the fitted
`refusal` decision on `features`), `compose` (one `Answer`) and `translate`. Records
are in `records`, flags in `flags`, timings by `timing.timed`, the model's time by
`budget.Budget`. What a question asks is
read by `query` (terms, quantities), `kinds` (answer kind and unit), `split`
(sub-questions), `followup` and `english`; `tables` and `text` are shared helpers. Which
document and place a passage speaks for is `assistant.identity`, below the index.
"""

from assistant.answer.answerer import Answerer, QuestionTooLongError
from assistant.answer.budget import Budget
from assistant.answer.english import detect_lang, glossary_terms
from assistant.answer.records import Answer, Citation, Retrieved
from assistant.answer.text import bigrams, prompt

__all__ = [
    "Answer",
    "Answerer",
    "Budget",
    "Citation",
    "QuestionTooLongError",
    "Retrieved",
    "bigrams",
    "detect_lang",
    "glossary_terms",
    "prompt",
]
