"""The demo's leads: capture forms, assignment rules by country, and leads in every status."""

from __future__ import annotations

from datetime import datetime, timedelta

from persistence.leads import AssignmentRuleRow, CaptureFormRow, LeadCaptureRow, LeadRow
from persistence.seed.generator import stable_id, stamped

LEADS = 60
FORMS = {"Website — contact us": "WEB_FORM", "Spring expo badge scan": "EVENT"}
SOURCES = ("WEB_FORM", "WEB_FORM", "EVENT", "REFERRAL", "CAMPAIGN", "IMPORT", "PARTNER")
STATUSES = ("NEW", "NEW", "WORKING", "WORKING", "QUALIFIED", "DISQUALIFIED", "CONVERTED")


def add_leads(data, base_time: datetime, country_territory: dict[str, str],
              territory_owner: dict[str, object]) -> None:
    """Add the lead rows to a built DemoData; `territory_owner` maps a territory to its rep."""
    gen, rng = data.gen, data.gen.rng

    for name, source in FORMS.items():
        data.add(CaptureFormRow, {**stamped("capture-form", name, base_time), "name": name,
                                  "source": source, "active": True})
    for position, (country, territory) in enumerate(sorted(country_territory.items()), 1):
        data.add(AssignmentRuleRow, {**stamped("assignment-rule", country, base_time),
                                     "position": position * 10, "country": country,
                                     "territory_id": stable_id("territory", territory)})
    for i in range(LEADS):
        company = gen.company(1000 + i)
        person = gen.person(1000 + i, company)
        at = base_time + timedelta(days=rng.randrange(0, 300), minutes=rng.randrange(0, 600))
        source, status = rng.choice(SOURCES), rng.choice(STATUSES)
        territory = country_territory[company.country]
        converted = status == "CONVERTED"
        person_index = (7 * i + 1) % 196  # never a multiple of 7: a contact with an account
        row = data.add(LeadRow, {
            **stamped("lead", i, at), "first_name": person.first_name,
            "last_name": person.last_name, "email": person.emails[0]["address"].lower(),
            "phone": person.phones[0]["number"], "title": None, "company": company.name,
            "industry": company.industry, "size": company.size, "country": company.country,
            "website": company.website, "source": source, "campaign": (
                "Spring launch" if source == "CAMPAIGN" else None), "status": status,
            "score": rng.randrange(0, 101), "owner_id": territory_owner.get(territory),
            "territory_id": stable_id("territory", territory),
            "last_captured_at": at if source in FORMS.values() else None,
            "converted_at": at + timedelta(days=7) if converted else None,
            # converted leads became demo contacts and accounts
            "converted_contact_id": stable_id("contact", person_index) if converted else None,
            "converted_account_id": (stable_id("account", person_index % 50) if converted
                                     else None),
            "converted_opportunity_id": None})
        form = next((name for name, s in FORMS.items() if s == source), None)
        if form:
            data.add(LeadCaptureRow, {**stamped("lead-capture", i, at), "lead_id": row["id"],
                                      "form_id": stable_id("capture-form", form),
                                      "payload": {"email": row["email"],
                                                  "lastName": row["last_name"],
                                                  "company": row["company"]}})
