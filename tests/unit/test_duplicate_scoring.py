"""Duplicate scoring: the evidence it weighs, and its recall and precision on a planted set."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict

from domain.duplicates import DEFAULT_THRESHOLD, Company, Person, Reason, score_companies, score_people
from domain.match_keys import contact_keys
from persistence.seed.bulk_pools import SYLLABLE_SURNAMES, phone_pool
from persistence.seed.generator import FIRST_NAMES, LAST_NAMES
from persistence.seed.planted_duplicates import Card, look_alike, near_duplicate


def person(first, last, emails=(), phones=(), companies=()) -> Person:
    return Person(first, last, frozenset(emails), frozenset(phones), frozenset(companies))


def test_score_people_same_email_and_a_typo_is_a_duplicate():
    match = score_people(person("Anna", "Berg", ["anna@x.com"]),
                         person("Anna", "Bergg", ["anna@x.com"]))
    assert match.score >= DEFAULT_THRESHOLD
    assert match.reasons == (Reason.SAME_EMAIL, Reason.SIMILAR_NAME)


def test_score_people_a_family_phone_is_no_duplicate():
    match = score_people(person("Anna", "Berg", phones=["4930123"]),
                         person("Lukas", "Berg", phones=["4930123"]))
    assert match.score < DEFAULT_THRESHOLD and match.reasons == (Reason.SAME_PHONE,)


def test_score_people_a_switchboard_is_no_duplicate():
    match = score_people(person("Anna", "Berg", phones=["4930"], companies=["acme"]),
                         person("Olga", "Tran", phones=["4930"], companies=["acme"]))
    assert match.score < 0.5


def test_score_people_similar_name_at_the_same_company():
    match = score_people(person("Dmitri", "Kuznetsov", companies=["acme"]),
                         person("Dmitri", "Kuznetzov", companies=["acme"]))
    assert match.score >= DEFAULT_THRESHOLD
    assert match.reasons == (Reason.SAME_COMPANY, Reason.SIMILAR_NAME)


def test_score_people_cyrillic_and_latin_spellings_and_swapped_names():
    assert score_people(person("Иван", "Петров", ["i@x.ru"]),
                        person("Ivan", "Petrov", ["i@x.ru"])).score > 0.95
    assert score_people(person("Petrov", "Ivan", ["i@x.ru"]),
                        person("Ivan", "Petrov", ["i@x.ru"])).score > 0.95


def test_score_people_without_visible_names_uses_no_name_and_no_name_reason():
    hidden = Person(None, None, frozenset(["a@x.com"]), names_visible=False)
    match = score_people(hidden, person("Anna", "Berg", ["a@x.com"]))
    assert Reason.SIMILAR_NAME not in match.reasons and match.reasons == (Reason.SAME_EMAIL,)


def test_score_people_unseen_channels_give_no_reason():
    # given two cards whose emails the reader may not see (None), only names remain
    a = Person("Anna", "Berg", None, None, frozenset())
    match = score_people(a, Person("Anna", "Berg", None, None, frozenset()))
    assert match.reasons == (Reason.SIMILAR_NAME,) and match.score < DEFAULT_THRESHOLD


def test_score_companies_domain_and_name():
    same = score_companies(Company("Acme GmbH", "acme.de"), Company("ACME", "acme.de"))
    assert same.score == 1.0 and same.reasons == (Reason.SAME_DOMAIN, Reason.SIMILAR_NAME)
    assert score_companies(Company("Acme Inc.", None), Company("Acme, Inc", None)).score >= 0.8
    assert score_companies(Company("Acme", None), Company("Globex", None)).score < 0.5


def _population(n: int, rng: random.Random) -> list[Card]:
    """Contacts like the bulk seed's: accounts of 1..20, eight people per phone number."""
    pool = [p for numbers in phone_pool().values() for p in numbers][: n // 8]
    cards, account, left = [], 0, 0
    for i in range(n):
        if left == 0:
            account, left = account + 1, rng.randrange(1, 21)
        left -= 1
        first, roll = rng.choice(FIRST_NAMES), rng.random()
        last = rng.choice(LAST_NAMES) if roll < 0.7 else rng.choice(SYLLABLE_SURNAMES)
        cards.append(Card(first, last, ({"address": f"{first}.{last}{i}@a{account}.com"},),
                          ({"number": rng.choice(pool)},),
                          account if rng.random() > 1 / 8 else None))
    return cards


def _person(card: Card) -> Person:
    keys = contact_keys(card.first_name, card.last_name, list(card.emails), list(card.phones))
    return Person(card.first_name, card.last_name, frozenset(keys.emails),
                  frozenset(keys.phones),
                  frozenset([card.account_id] if card.account_id else []))


def test_score_people_planted_set_recall_and_precision_at_the_default_threshold():
    # given 8,000 contacts, 400 near-duplicates of them and 400 look-alikes
    rng = random.Random(7)
    base = _population(8000, rng)
    cards, planted = list(base), set()
    for i in rng.sample(range(len(base)), 400):
        cards.append(near_duplicate(base[i], rng))
        planted.add((i, len(cards) - 1))
    for n, i in enumerate(rng.sample(range(len(base)), 400)):
        cards.append(look_alike(base[i], rng, tuple(FIRST_NAMES), tuple(LAST_NAMES), n))
    people = [_person(c) for c in cards]
    blocks = defaultdict(list)
    for index, p in enumerate(people):
        for key in [*p.emails, *p.phones, *(f"account:{a}" for a in p.companies)]:
            blocks[key].append(index)
    pairs = {pair for members in blocks.values() for pair in itertools.combinations(members, 2)}
    # when every pair sharing a block is scored
    found = {pair for pair in pairs
             if score_people(people[pair[0]], people[pair[1]]).score >= DEFAULT_THRESHOLD}
    # then recall and precision are at least 0.95 (measured: 0.990 and 0.988)
    hits = len(found & planted)
    assert hits / len(planted) >= 0.95, hits / len(planted)
    assert hits / len(found) >= 0.95, hits / len(found)


def test_score_companies_numbered_branches_are_not_alike():
    assert score_companies(Company("Branch 12 Ltd", None), Company("Branch 14", None)).score < 0.5
