"""What happened on the way to an answer, recorded for the report and for diagnostics.

One Enum: a flag is written, listed in `Answer.flags` and the evaluation report, and never
read back to decide anything (a step that needs to know something reads a record's field).
Members are strings, so reports and JSON show their values.
"""

from __future__ import annotations

from enum import Enum


class Flag(str, Enum):  # StrEnum needs Python 3.11
    # preparation: how a follow-up was made to stand alone, how an English one was searched
    CONDENSED_BY_LLM = "condensed_by_llm"
    CONDENSED_BY_SUBSTITUTION = "condensed_by_substitution"
    CONDENSED_BY_PLACES = "condensed_by_places"
    CONDENSED_BY_CONCAT = "condensed_by_concat"
    REWRITE_REJECTED = "rewrite_rejected"
    REWRITE_PLACE_REPAIRED = "rewrite_place_repaired"
    REWRITE_LOST_TERMS = "rewrite_lost_terms"
    PLACE_CARRIED = "place_carried"
    TRANSLATED_BY_LLM = "translated_by_llm"
    GLOSSARY_TERMS = "glossary_terms"
    # planning
    PER_DOCUMENT = "per_document"
    SPLIT = "split_into_parts"
    # binding and reading
    NO_BOUND_PASSAGE = "no_bound_passage"
    NO_PASSAGES = "no_passages"
    QUOTED = "quoted"
    QUOTE_TOO_WEAK = "quote_too_weak"  # refused unread: below `answer.model_floor`
    TRANSLATED_NOT_READ = "translated_not_read"  # `answer.read_translated` off: the quote decides
    BUDGET_SPENT = "budget_spent"  # the model was skipped or cut short by `answer.budget_s`
    CONTEXT_TRIMMED = "context_trimmed"
    LLM_REFUSED = "llm_refused"
    LLM_UNSUPPORTED = "llm_unsupported"
    FORCED_ANSWER = "forced_answer"
    LLM_REFUSAL_OVERRIDDEN = "llm_refusal_overridden"
    LLM_EMPTY_REPLACED = "llm_empty_replaced"
    # verification (`verify.check` and its rules)
    REMOVED_INVALID_MARKER = "removed_invalid_marker"
    REMOVED_HOLLOW_SENTENCE = "removed_hollow_sentence"
    RESCALED_FIGURE = "rescaled_figure"
    CITATION_ATTACHED = "citation_attached"
    CITATION_MOVED = "citation_moved"
    REMOVED_UNSUPPORTED_FIGURE = "removed_unsupported_figure"
    REMOVED_UNCITED_SENTENCE = "removed_uncited_sentence"
    REMOVED_REPEAT = "removed_repeat"
    REMOVED_REDACTED = "removed_redacted"
    REMOVED_OTHER_QUANTITY = "removed_other_quantity"
    REMOVED_OTHER_ENTITY = "removed_other_entity"
    REMOVED_OTHER_LEVEL = "removed_other_level"
    REMOVED_OTHER_ROW = "removed_other_row"
    REMOVED_OTHER_YEAR = "removed_other_year"
    # the decision
    ASKED_KIND_FROM_QUOTE = "asked_kind_from_quote"
    ASKED_KIND_MISSING = "asked_kind_missing"
    REFUSED_BY_MODEL = "refused_by_model"
    NOTHING_SUPPORTED = "nothing_supported"
    OTHER_DOCUMENT_DIFFERS = "other_document_differs"
    ANSWERED_BY_OTHER_PART = "answered_by_other_part"  # `cover.covered`
    # translation of the answer
    TRANSLATED_ANSWER = "translated_answer"
    TRANSLATION_REJECTED = "translation_rejected"
    TRANSLATION_REFUSED = "translation_refused"
    TRANSLATION_NOT_ENGLISH = "translation_not_english"
    TRANSLATION_ADDED_FIGURE = "translation_added_figure"

    def __str__(self) -> str:
        return self.value
