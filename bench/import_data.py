"""Contact files for the import benchmark, written as a company's export would be.

    python -m bench.import_data --rows 100000 --out contacts.csv [--xlsx contacts.xlsx]

Each row is a person with a company, a job title, a country and a phone written the way
people of that country write it (national format: "030 12345678", "(201) 555-0123"), so the
importer has to bring every number to E.164 with the row's country. Of the rows:
- `--duplicates` (5%) repeat an earlier row of the file as another export would write the
  same person: the email in other case, the phone in international format, or a typo in the
  first name;
- `--bad` (2%) are wrong in one way an importer must report: an email that is no address, a
  phone that is no number, no last name, or an unknown country.
The same seed gives the same file, so runs compare.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from pathlib import Path

import phonenumbers

from persistence.seed.bulk_pools import local_part, phone_pool
from persistence.seed.generator import (
    COMPANY_WORDS,
    COUNTRIES,
    FIRST_NAMES,
    LAST_NAMES,
    PERSONAL_DOMAINS,
    SUFFIXES,
    TITLES,
)

HEADERS = ["External ID", "First name", "Last name", "E-mail", "Phone", "Company", "Website",
           "Job title", "Country", "City", "Tags"]
COUNTRY_CODES = tuple(COUNTRIES)
TAGS = ("", "", "", "VIP", "Newsletter", "Trade fair 2026", "VIP;Newsletter")
BAD_KINDS = ("email", "phone", "last_name", "country")


def _national(e164: str) -> str:
    """The number as written at home: national format, with its trunk prefix."""
    number = phonenumbers.parse(e164)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _typo(name: str, draw: random.Random) -> str:
    """One letter swapped with its neighbour, as a hurried typist does."""
    if len(name) < 4:
        return name + name[-1]
    at = draw.randrange(1, len(name) - 2)
    return name[:at] + name[at + 1] + name[at] + name[at + 2:]


def _phone(n: int, country: str, pool: dict[str, tuple[str, ...]]) -> str:
    """A number of the country's mobile range of its own (the row number in its last six
    digits), as people have; one of the seeders' pool where that is no valid number."""
    example = COUNTRIES[country][1]
    number = phonenumbers.parse(f"{example[:-6]}{n % 1_000_000:06d}")
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return pool[country][n % len(pool[country])]


def _person(n: int, draw: random.Random, phones: dict[str, tuple[str, ...]]) -> list[str]:
    country = draw.choice(COUNTRY_CODES)
    first, last = draw.choice(FIRST_NAMES), draw.choice(LAST_NAMES)
    company = f"{draw.choice(COMPANY_WORDS)} {draw.choice(COMPANY_WORDS)} {draw.choice(SUFFIXES)}"
    domain = f"{local_part(company.split()[0])}{n % 997}.example"
    mailbox = domain if draw.random() < 0.8 else draw.choice(PERSONAL_DOMAINS)
    email = f"{local_part(first)}.{local_part(last)}{n}@{mailbox}"
    city = draw.choice(COUNTRIES[country][0])
    return [f"EXT-{n:08d}", first, last, email, _national(_phone(n, country, phones)),
            company, f"www.{domain}", draw.choice(TITLES), country, city, draw.choice(TAGS)]


def _again(row: list[str], draw: random.Random) -> list[str]:
    """The same person as another export writes them: no external id, and one difference."""
    again = list(row)
    again[0] = ""
    how = draw.randrange(3)
    if how == 0:
        again[3] = again[3].upper()
    elif how == 1:
        country = again[8]
        again[4] = phonenumbers.format_number(phonenumbers.parse(again[4], country),
                                              phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    else:
        again[1] = _typo(again[1], draw)
    return again


def _spoil(row: list[str], kind: str) -> list[str]:
    bad = list(row)
    if kind == "email":
        bad[3] = bad[3].replace("@", " at ")
    elif kind == "phone":
        bad[4] = "call reception"
    elif kind == "last_name":
        bad[2] = ""
    else:
        bad[8] = "Atlantis"
    return bad


def rows(count: int, *, duplicates: float = 0.05, bad: float = 0.02,
         seed: int = 13) -> Iterator[list[str]]:
    """`count` rows: fresh people, repeats of earlier ones, and bad rows, mixed evenly."""
    draw, phones = random.Random(seed), phone_pool(200)
    earlier: list[list[str]] = []
    for n in range(count):
        roll = draw.random()
        if roll < duplicates and earlier:
            yield _again(draw.choice(earlier), draw)
            continue
        row = _person(n, draw, phones)
        if roll < duplicates + bad:
            yield _spoil(row, BAD_KINDS[n % len(BAD_KINDS)])
            continue
        if len(earlier) < 10_000:
            earlier.append(row)
        elif draw.random() < 0.01:
            earlier[draw.randrange(len(earlier))] = row
        yield row


def write_csv(path: Path, count: int, **options) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows(rows(count, **options))


def write_xlsx(path: Path, count: int, **options) -> None:
    """The same rows as an XLSX workbook of one sheet, every cell a text cell."""
    from openpyxl import Workbook  # a development dependency: only the bench writes XLSX

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Contacts")
    sheet.append(HEADERS)
    for row in rows(count, **options):
        sheet.append(row)
    book.save(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.import_data",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument("--bad", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, help="the CSV to write")
    parser.add_argument("--xlsx", type=Path, help="the XLSX to write")
    args = parser.parse_args(argv)
    options = {"duplicates": args.duplicates, "bad": args.bad, "seed": args.seed}
    if args.out:
        write_csv(args.out, args.rows, **options)
    if args.xlsx:
        write_xlsx(args.xlsx, args.rows, **options)


if __name__ == "__main__":
    main()
