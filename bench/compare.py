"""Check that every server answers Q1–Q3, Q5 and Q6 with the same records before anything is timed."""

from __future__ import annotations

import difflib
import json
from datetime import datetime

from api.schema.ids import from_global_id
from bench.questions import PEERS


class DifferentAnswers(SystemExit):
    """The servers disagree; a benchmark of wrong answers is worthless."""


def plain_id(value: str) -> str:
    """A raw uuid from one of our global ids, or PostGraphile's uuid as it is."""
    try:
        return str(from_global_id(value)[1])
    except ValueError:
        return value


def when(value: str) -> str:
    """A timestamp in one spelling: PostgreSQL trims trailing zeros, Python writes six digits."""
    return datetime.fromisoformat(value).isoformat()


def _json(value):
    # PostGraphile 4 answers json columns as strings unless started with --dynamic-json;
    # PostGraphile 5 answers them as JSON.
    return json.loads(value) if isinstance(value, str) else value


def _canonical(items: list) -> list:
    """Records whose order a server does not promise, in one order."""
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def _q1(contact: dict | None) -> dict | None:
    if contact is None:
        return None
    return {**contact, "id": plain_id(contact["id"]), "createdAt": when(contact["createdAt"]),
            "updatedAt": when(contact["updatedAt"])}


def _person(job_title, contact: dict) -> dict:
    consents = contact["consents"]
    return {
        "jobTitle": job_title, "firstName": contact["firstName"], "lastName": contact["lastName"],
        "emails": [e["address"] for e in _json(contact["emails"])],
        "phones": [p["number"] for p in _json(contact["phones"])],
        "consents": consents["nodes"] if isinstance(consents, dict) else consents,
    }


def _q2(data: dict, postgraphile: bool) -> dict | None:
    account = data["account"]
    if account is None:
        return None
    if postgraphile:
        # PostGraphile cannot sort an account's links by the contact's last name; an account
        # of at most 20 contacts comes back whole, so the sets compare.
        people = [_person(n["jobTitle"], n["contact"]) for n in account["accountContacts"]["nodes"]]
        notes = data["notes"]["nodes"]
    else:
        people = [_person(e["jobTitle"], e["node"]) for e in account["contacts"]["edges"]]
        notes = account["notes"]["nodes"]
    return {"name": account["name"], "contacts": _canonical(people),
            "notes": [{"body": n["body"], "createdAt": when(n["createdAt"])} for n in notes]}


def _q3(data: dict, postgraphile: bool) -> list:
    rows = []
    for contact in data["contacts"]["nodes"]:
        if postgraphile:
            names = [n["account"]["name"] for n in contact["accountContacts"]["nodes"]]
        else:
            names = [n["name"] for n in contact["accounts"]["nodes"]]
        # A contact has at most two accounts in the bulk data, so first: 5 takes them all.
        rows.append({"id": plain_id(contact["id"]), "firstName": contact["firstName"],
                     "lastName": contact["lastName"], "accounts": sorted(names)})
    return rows


def _q5(data: dict, postgraphile: bool) -> list:
    nodes = (data["activities"] if postgraphile else data["timeline"])["nodes"]
    return [{**n, "id": plain_id(n["id"]), "at": when(n["at"])} for n in nodes]


def _q6(data: dict, postgraphile: bool) -> list:
    # Ours lists a contact's custom values as name-value pairs; PostGraphile answers the
    # column itself, an object of the same values by name.
    rows = []
    for contact in data["contacts"]["nodes"]:
        values = _json(contact["customFields"])
        if not postgraphile:
            values = {v["name"]: v["value"] for v in values}
        rows.append({"id": plain_id(contact["id"]), "firstName": contact["firstName"],
                     "lastName": contact["lastName"], "customFields": values})
    return rows


def normalise(question: str, server: str, answer: dict):
    """An answer as plain data: raw uuids, one timestamp spelling, unpromised orders fixed."""
    if answer.get("errors"):
        raise DifferentAnswers(f"bench: {server} answered {question} with errors: "
                               f"{json.dumps(answer['errors'])[:2000]}")
    data = answer["data"]
    # PostGraphile 5's documents alias its fields to PostGraphile 4's answer shape.
    postgraphile = server in PEERS
    if question == "Q1":
        return _q1(data["contact"])
    if question == "Q2":
        return _q2(data, postgraphile)
    if question == "Q5":
        return _q5(data, postgraphile)
    if question == "Q6":
        return _q6(data, postgraphile)
    return _q3(data, postgraphile)


def _diff(a_name: str, a, b_name: str, b) -> str:
    lines = difflib.unified_diff(json.dumps(a, indent=1, sort_keys=True).splitlines(),
                                 json.dumps(b, indent=1, sort_keys=True).splitlines(),
                                 a_name, b_name, lineterm="", n=2)
    return "\n".join(list(lines)[:80])


def check(question: str, answers: dict[str, dict], expected_rows: int) -> None:
    """Abort with a diff unless every server gave the same, non-trivial answer."""
    plain = {server: normalise(question, server, answer) for server, answer in answers.items()}
    reference_name, reference = next(iter(plain.items()))
    if not reference:
        raise DifferentAnswers(f"bench: {reference_name} found nothing for {question}")
    size = {"Q1": 1, "Q2": len(reference["contacts"]) if question == "Q2" else 0,
            "Q3": len(reference), "Q5": len(reference), "Q6": len(reference)}[question]
    if size != expected_rows:
        raise DifferentAnswers(f"bench: {question} returned {size} records, expected "
                               f"{expected_rows}")
    for server, answer in plain.items():
        if answer != reference:
            raise DifferentAnswers(
                f"bench: {server} and {reference_name} answer {question} differently; "
                f"not benchmarking wrong answers:\n"
                + _diff(reference_name, reference, server, answer))


def check_update(server: str, answer: dict, key: str) -> int | None:
    """Q4 must be a real write: no errors anywhere, and the contact named in the answer."""
    body = json.dumps(answer)
    payload = next(iter((answer.get("data") or {}).values()), None) or {}
    if answer.get("errors") or payload.get("errors") or (payload.get("contact") or {}).get(
            "id") != key:
        raise DifferentAnswers(f"bench: {server} did not update contact {key} in Q4: {body[:2000]}")
    return payload["contact"].get("version")
