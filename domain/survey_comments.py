"""The class of a survey comment, guessed by rules: ERROR (a complaint), WISH (a feature
request) or QUESTION; None when it is none of them ("Great service, thanks!").

The rules, in English, German and Russian:
- each class has phrases; a phrase matches at the start of a word, so a stem ("crash",
  "ошибк") matches its forms ("crashes", "ошибка", "ошибки");
- a phrase of a complaint weighs 2, of a wish or a question 1, and a question mark 1 for
  QUESTION: "Why is the export broken?" is a complaint, "Why is the export slow?" too, but
  "How do I export?" is a question;
- the class with the highest weight wins; a tie goes to ERROR, then WISH, then QUESTION
  ("Could you add dark mode?" is a wish). No match at all: None.
Staff correct the class (surveyResponseClassify); a corrected class is kept as STAFF's.
"""

from __future__ import annotations

import re
from enum import StrEnum


class CommentClass(StrEnum):
    ERROR = "ERROR"
    WISH = "WISH"
    QUESTION = "QUESTION"


class ClassifiedBy(StrEnum):
    AUTO = "AUTO"
    STAFF = "STAFF"


PHRASES: dict[CommentClass, tuple[str, ...]] = {
    CommentClass.ERROR: (
        # English
        "error", "bug", "broke", "crash", "fail", "doesn't work", "does not work", "not working",
        "wrong", "problem", "issue", "complain", "terrible", "awful", "slow", "too late",
        "delayed",
        "never arrived", "damaged", "refund", "disappoint", "worst", "useless", "rude",
        # German
        "fehler", "kaputt", "funktioniert nicht", "geht nicht", "absturz", "stürzt",
        "falsch", "beschwerde", "langsam", "verspätet", "beschädigt", "enttäuscht",
        "schlecht", "unfreundlich",
        # Russian
        "ошибк", "не работает", "сломал", "сбой", "проблем", "жалоб", "плохо", "ужасн",
        "медленн", "опозда", "не пришл", "поврежд", "разочарова", "неправильн", "груб",
    ),
    CommentClass.WISH: (
        "wish", "would like", "would love", "please add", "would be nice", "would be great",
        "feature", "suggest", "should have", "could you add", "can you add", "i want",
        "add support",
        "wünsche", "wunsch", "hätte gern", "wäre schön", "wäre toll", "wäre gut",
        "bitte fügen", "vorschlag", "schlage vor", "sollte",
        "хотел бы", "хотела бы", "хотелось бы", "было бы хорошо", "было бы здорово",
        "добавьте", "пожелани", "предлага", "предложени", "не хватает",
    ),
    CommentClass.QUESTION: (
        "how do", "how can", "how to", "why", "when will", "where", "can i", "is there",
        "what is", "question",
        "wie kann", "wie funktioniert", "warum", "wann", "wo finde", "gibt es", "kann ich",
        "frage",
        "как ", "почему", "когда", "где ", "можно ли", "есть ли", "вопрос", "подскажите",
    ),
}
WEIGHTS = {CommentClass.ERROR: 2, CommentClass.WISH: 1, CommentClass.QUESTION: 1}
PRECEDENCE = (CommentClass.ERROR, CommentClass.WISH, CommentClass.QUESTION)
PATTERNS = {cls: re.compile("|".join(rf"(?<!\w){re.escape(p)}" for p in phrases))
            for cls, phrases in PHRASES.items()}


def classify(comment: str | None) -> CommentClass | None:
    """The class the rules above give a comment; None for none, or no comment."""
    text = (comment or "").casefold()
    if not text.strip():
        return None
    weights = {cls: WEIGHTS[cls] * len(PATTERNS[cls].findall(text)) for cls in PRECEDENCE}
    weights[CommentClass.QUESTION] += text.count("?")
    best = max(weights.values())
    if best == 0:
        return None
    return next(cls for cls in PRECEDENCE if weights[cls] == best)
