"""The rule-based classifier of survey comments, in English, German and Russian."""

from __future__ import annotations

import pytest

from domain.survey_comments import CommentClass, classify


@pytest.mark.parametrize(("comment", "expected"), [
    ("The app crashes every time I export.", CommentClass.ERROR),
    ("Delivery was too late and the box was damaged.", CommentClass.ERROR),
    ("Die Rechnung ist falsch.", CommentClass.ERROR),
    ("Das Login funktioniert nicht mehr.", CommentClass.ERROR),
    ("Приложение не работает после обновления.", CommentClass.ERROR),
    ("Ошибка при оплате картой.", CommentClass.ERROR),
    ("It would be nice to have a dark mode.", CommentClass.WISH),
    ("Please add an export to Excel.", CommentClass.WISH),
    ("Ich wünsche mir eine App.", CommentClass.WISH),
    ("Хотелось бы больше интеграций.", CommentClass.WISH),
    ("How do I change my invoice address?", CommentClass.QUESTION),
    ("Is there an API for orders", CommentClass.QUESTION),
    ("Wie kann ich mein Passwort ändern?", CommentClass.QUESTION),
    ("Где найти счёт?", CommentClass.QUESTION),
    ("Anything new next month?", CommentClass.QUESTION),
])
def test_classify_by_keywords_and_question_marks(comment, expected):
    assert classify(comment) is expected


def test_classify_tie_goes_to_complaint_then_wish():
    # "broke" (2) against "why" and "?" (1 + 1): a complaint
    assert classify("Why is the export broken?") is CommentClass.ERROR
    # "could you add" (1) against "?" (1): a wish
    assert classify("Could you add dark mode?") is CommentClass.WISH


@pytest.mark.parametrize("comment", [None, "", "   ", "Great service, thanks!",
                                     "Alles bestens.", "Спасибо, всё отлично."])
def test_classify_none_without_a_signal(comment):
    assert classify(comment) is None


def test_classify_matches_word_starts_only():
    # "bug" inside "debugging" and "late" inside "translate" are no complaint
    assert classify("We enjoyed the debugging session.") is None
    assert classify("The translated manual was helpful.") is None
