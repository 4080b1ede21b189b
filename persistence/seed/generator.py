"""Deterministic, realistic customer data: people, companies, phones, emails, addresses.

The same seed gives the same data, so demos, tests and benchmarks can name records.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime

import phonenumbers

NAMESPACE = uuid.UUID("6f1c1f7e-4a57-4c1e-9a0a-2b7d3c1f9e11")

FIRST_NAMES = (
    "Olivia Liam Emma Noah Ava Lucas Sofia Mateo Mia Leo Amelia Elias Hannah Jonas Lea Felix "
    "Chloe Hugo Ines Louis Alice Arthur Freja William Ingrid Oskar Maja Aarav Ananya Vihaan "
    "Diya Yui Haruto Sakura Ren Ana Joao Beatriz Miguel Camila Santiago Valentina Diego Olga "
    "Ivan Anastasia Dmitri Sophie Thomas Charlotte James Grace Daniel Priya Omar Layla Youssef "
    "Fatima Chen Wei Mei Jun Isabella Marco Giulia Luca Aisha Kwame Ama Kofi Zanele Thabo"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Dubois Durand "
    "Lefebvre Moreau Laurent Rossi Russo Ferrari Esposito Bianchi Romano Silva Santos Oliveira "
    "Souza Pereira Costa Andersson Johansson Karlsson Nilsson Larsen Jensen Nielsen Hansen "
    "Sato Suzuki Takahashi Tanaka Watanabe Ito Kumar Sharma Patel Singh Gupta Ivanov Petrov "
    "Smirnov Kuznetsov Popov Novak Kowalski Nowak Wisniewski Okafor Mensah Nkosi Dlamini "
    "McAllister OBrien Murphy Kelly Walsh Byrne Ryan Khan Ali Hassan Nguyen Tran Pham Kim Park"
).split()
COMPANY_WORDS = (
    "Acme Globex Initech Umbrella Stark Wayne Tyrell Cyberdyne Soylent Hooli Vandelay Wonka "
    "Aperture Massive Dynamic Nakatomi Oscorp Gringotts Monarch Pied Piper Zenith Apex Summit "
    "Northwind Contoso Fabrikam Tailspin Litware Adatum Proseware Wingtip Blue Yonder Coho "
    "Lucerne Margie Alpine Fourth Coffee Humongous Trey Wide World Woodgrove Bluebird Orbit "
    "Nimbus Quantum Vertex Helix Lumen Cobalt Maple Cedar Harbor Falcon Meridian Atlas Nova"
).split()
SUFFIXES = ("Ltd", "GmbH", "Inc", "SA", "BV", "AB", "Group", "Labs", "Systems", "Partners")
INDUSTRIES = ("Software", "Retail", "Manufacturing", "Healthcare", "Financial Services",
              "Logistics", "Energy", "Education", "Media", "Hospitality", "Telecom", "Automotive")
SIZES = ("SOLO", "SMALL", "SMALL", "MEDIUM", "MEDIUM", "LARGE", "ENTERPRISE")
STAGES = ("SUBSCRIBER", "LEAD", "LEAD", "PROSPECT", "CUSTOMER", "CUSTOMER", "CHURNED")
TITLES = ("CEO", "CTO", "CFO", "Head of Procurement", "IT Manager", "Buyer", "Engineer",
          "Office Manager", "VP Sales", "Operations Lead", "Analyst", "Marketing Manager")
PERSONAL_DOMAINS = ("gmail.com", "outlook.com", "proton.me", "yahoo.com", "icloud.com")
PURPOSES = ("newsletter", "product_updates", "marketing", "surveys", "events")
CHANNELS = ("EMAIL", "SMS", "PHONE", "POST")
# Country -> (cities, example mobile number whose last four digits vary validly)
COUNTRIES = {
    "US": (("New York", "Austin", "Seattle", "Chicago"), "+12015550123"),
    "GB": (("London", "Manchester", "Leeds", "Bristol"), "+447400123456"),
    "DE": (("Berlin", "Munich", "Hamburg", "Cologne"), "+4915123456789"),
    "FR": (("Paris", "Lyon", "Toulouse", "Lille"), "+33612345678"),
    "NL": (("Amsterdam", "Rotterdam", "Utrecht"), "+31612345678"),
    "SE": (("Stockholm", "Gothenburg", "Malmo"), "+46701234567"),
    "BR": (("Sao Paulo", "Rio de Janeiro", "Curitiba"), "+5511961234567"),
    "JP": (("Tokyo", "Osaka", "Yokohama"), "+819012345678"),
    "AU": (("Sydney", "Melbourne", "Brisbane"), "+61412345678"),
    "IN": (("Bengaluru", "Mumbai", "Pune"), "+918123456789"),
    "ES": (("Madrid", "Barcelona", "Valencia"), "+34612345678"),
    "MX": (("Mexico City", "Monterrey", "Guadalajara"), "+522221234567"),
}
STREETS = ("Main St", "High Street", "Hauptstrasse", "Rue de la Paix", "Kerkstraat",
           "Storgatan", "Avenida Paulista", "Calle Mayor", "Market St", "Station Road")


def stable_id(kind: str, number: int | str) -> uuid.UUID:
    """The same id for the same kind and number, on every run."""
    return uuid.uuid5(NAMESPACE, f"{kind}:{number}")


def stamped(kind: str, key, at: datetime, actor: str = "System") -> dict:
    """The columns every demo row shares: a stable id, its times, and who made it."""
    return {"id": stable_id(kind, key), "created_at": at, "updated_at": at,
            "created_by": actor, "updated_by": actor}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    emails: list[dict]
    phones: list[dict]
    address: dict
    country: str


@dataclass(frozen=True)
class Company:
    name: str
    legal_name: str
    industry: str
    size: str
    website: str
    domain: str
    country: str


class Generator:
    """Draws people and companies from one seeded random stream."""

    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)

    def phone(self, country: str) -> str:
        example = COUNTRIES[country][1]
        number = example[:-4] + f"{self.rng.randrange(10000):04d}"
        assert phonenumbers.is_valid_number(phonenumbers.parse(number))
        return number

    def company(self, index: int) -> Company:
        rng = self.rng
        word = rng.choice(COMPANY_WORDS)
        second = rng.choice(COMPANY_WORDS)
        name = f"{word} {second}" if word != second else word
        suffix = rng.choice(SUFFIXES)
        domain = f"{_ascii(word)}{_ascii(second)}{index}.example.com"
        return Company(name=f"{name} {index}", legal_name=f"{name} {suffix}",
                       industry=rng.choice(INDUSTRIES), size=rng.choice(SIZES),
                       website=f"https://www.{domain}", domain=domain,
                       country=rng.choice(tuple(COUNTRIES)))

    def person(self, index: int, company: Company | None = None) -> Person:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        country = company.country if company and rng.random() < 0.8 else rng.choice(tuple(COUNTRIES))
        local = f"{_ascii(first)}.{_ascii(last)}{index}"
        emails = []
        if company:
            emails.append({"address": f"{local}@{company.domain}", "primary": True, "label": "work"})
        if not company or rng.random() < 0.3:
            emails.append({"address": f"{local}@{rng.choice(PERSONAL_DOMAINS)}",
                           "primary": not emails, "label": "personal"})
        phones = [{"number": self.phone(country), "primary": True, "label": "mobile"}]
        if rng.random() < 0.25:
            phones.append({"number": self.phone(country), "primary": False, "label": "office"})
        city = rng.choice(COUNTRIES[country][0])
        address = {"street": f"{rng.randrange(1, 300)} {rng.choice(STREETS)}", "city": city,
                   "region": None, "postalCode": f"{rng.randrange(10000, 99999)}",
                   "country": country}
        return Person(first, last, emails, phones, address, country)
