"""`crm import contacts` as a user runs it, on files the tests write: duplicates within the
file and against the database, errors per row and their CSV fixed and imported again, a dry
run, undo, XLSX, and the importer's rights."""

from __future__ import annotations

import csv
import io

import pytest

from tests.databases import own_database
from tests.e2e.imports import HEADERS, contact_by_email, crm, job_id_of, rows, value
from tests.unit.imports.files import write_csv, write_xlsx

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def env(server_url, tmp_path_factory) -> dict:
    with own_database(server_url, "crm_import", demo=True) as url:
        yield {"DATABASE_URL": url, "CRM_HOME": str(tmp_path_factory.mktemp("import-home"))}


def test_import_contacts_folds_duplicates_within_the_file_and_rejects_bad_rows(env, tmp_path):
    # given a file where Anna appears twice (her email in another case, then a phone) and a
    # row with a broken email
    path = write_csv(tmp_path / "people.csv", [
        HEADERS,
        ["", "Anna", "Schmidt", "anna.s@beispiel-a.de", "030 1234567", "DE", "Beispiel A GmbH",
         "beispiel-a.de", "CTO", "VIP"],
        ["", "", "Schmidt", "ANNA.S@BEISPIEL-A.DE", "0170 7654321", "DE", "", "", "", ""],
        ["", "Bad", "Row", "not-an-email", "", "DE", "", "", "", ""],
    ])
    # when it is imported with Germany as the default region
    out = crm("import", "contacts", str(path), "--default-region", "DE", env=env).stdout
    # then Anna is one contact with both phones in E.164, her company and her tag
    assert "created 1, updated 1, skipped 0, rejected 1" in out
    anna = contact_by_email(env["DATABASE_URL"], "anna.s@beispiel-a.de")
    assert anna["first_name"] == "Anna" and anna["same_email"] == 1
    assert [p["number"] for p in anna["phones"]] == ["+49301234567", "+491707654321"]
    link = rows(env["DATABASE_URL"], "SELECT a.name, l.job_title FROM account_contact l JOIN "
                                     "account a ON a.id = l.account_id WHERE l.contact_id = $1",
                anna["id"])
    assert link == [{"name": "Beispiel A GmbH", "job_title": "CTO"}]
    # and the bad row is in the rejected CSV with its line, column and reason
    rejected = crm("import", "errors", job_id_of(out), env=env).stdout
    table = list(csv.reader(io.StringIO(rejected.lstrip("\ufeff"))))
    assert table[0] == [*HEADERS, "error"]
    assert table[1][:3] == ["", "Bad", "Row"] and "E-mail" in table[1][-1]


def test_import_fills_empty_fields_of_a_matching_contact_and_never_overwrites(env, tmp_path):
    # given a contact in the database with an email and no first name
    first = write_csv(tmp_path / "first.csv", [HEADERS, ["", "", "Weber", "jonas.w@web-b.de",
                                                         "", "DE", "", "", "", ""]])
    crm("import", "contacts", str(first), env=env)
    # when a file with the same email brings a first name, another last name and a phone
    second = write_csv(tmp_path / "second.csv", [HEADERS, [
        "", "Jonas", "Webber", "Jonas.W@web-b.de", "+49 30 5550001", "DE", "", "", "", ""]])
    out = crm("import", "contacts", str(second), env=env).stdout
    # then the empty fields are filled in and the stored last name stays
    assert "created 0, updated 1" in out
    jonas = contact_by_email(env["DATABASE_URL"], "jonas.w@web-b.de")
    assert (jonas["first_name"], jonas["last_name"]) == ("Jonas", "Weber")
    assert [p["number"] for p in jonas["phones"]] == ["+49305550001"]
    # and with --on-duplicate skip the same file changes nothing
    out = crm("import", "contacts", str(second), "--on-duplicate", "skip", env=env).stdout
    assert "created 0, updated 0, skipped 1" in out


def test_import_matches_by_external_id_then_phone(env, tmp_path):
    # given a contact imported with an external id
    crm("import", "contacts", str(write_csv(tmp_path / "a.csv", [HEADERS, [
        "X-1", "Olga", "Ivanova", "", "8 916 123 45 67", "RU", "", "", "", ""]])), env=env)
    # when rows name it by its external id, and by its phone written differently
    out = crm("import", "contacts", str(write_csv(tmp_path / "b.csv", [
        HEADERS, ["X-1", "", "Ivanova", "olga@example.ru", "", "RU", "", "", "", ""],
        ["", "", "Ivanova", "", "+7 (916) 123-45-67", "RU", "", "", "", "Renewal"]])),
        env=env).stdout
    # then both land on the one contact
    assert "created 0" in out
    olga = rows(env["DATABASE_URL"], "SELECT * FROM contact WHERE external_id = 'X-1'")
    assert len(olga) == 1 and olga[0]["emails"][0]["address"] == "olga@example.ru"


def test_import_errors_fixed_and_imported_again(env, tmp_path):
    # given an import with a rejected row
    path = write_csv(tmp_path / "broken.csv", [HEADERS, [
        "", "Paul", "Becker", "paul.becker(at)firma-c.de", "", "DE", "", "", "", ""]])
    out = crm("import", "contacts", str(path), env=env).stdout
    assert "rejected 1" in out
    # when its rejected CSV is fixed and imported
    rejected = crm("import", "errors", job_id_of(out), env=env).stdout
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(rejected.replace("paul.becker(at)firma-c.de", "paul.becker@firma-c.de"),
                     encoding="utf-8")
    out = crm("import", "contacts", str(fixed), env=env).stdout
    # then the row goes in; the error column is ignored
    assert "created 1" in out and "rejected 0" in out
    assert contact_by_email(env["DATABASE_URL"], "paul.becker@firma-c.de")["last_name"] == "Becker"


def test_import_dry_run_writes_nothing(env, tmp_path):
    url = env["DATABASE_URL"]
    before = [value(url, f"SELECT count(*) FROM {t}") for t in
              ("contact", "account", "audit_entry", "import_job", "tag")]
    path = write_csv(tmp_path / "dry.csv", [HEADERS, [
        "", "Eva", "Krause", "eva@krause-d.de", "", "DE", "Krause D AG", "", "", "NewTag"]])
    out = crm("import", "contacts", str(path), "--dry-run", env=env).stdout
    assert "dry run, nothing written" in out and "created 1" in out
    assert [value(url, f"SELECT count(*) FROM {t}") for t in
            ("contact", "account", "audit_entry", "import_job", "tag")] == before


def test_import_undo_archives_created_and_reverts_filled_in(env, tmp_path):
    url = env["DATABASE_URL"]
    crm("import", "contacts", str(write_csv(tmp_path / "base.csv", [
        HEADERS, ["", "", "Lehmann", "lehmann@firma-e.de", "", "DE", "", "", "", ""]])), env=env)
    out = crm("import", "contacts", str(write_csv(tmp_path / "undo.csv", [
        HEADERS, ["", "Nina", "Lehmann", "lehmann@firma-e.de", "", "DE", "", "", "", ""],
        ["", "Igor", "Popov", "igor@firma-e.de", "", "DE", "Firma E", "", "", ""]])),
        env=env).stdout
    job = job_id_of(out)
    # when the import is undone
    undone = crm("import", "undo", job, env=env).stdout
    # then Igor and Firma E are archived, Nina's first name is gone again
    assert "2 records archived, 1 reverted" in undone
    assert contact_by_email(url, "igor@firma-e.de") is None
    assert contact_by_email(url, "lehmann@firma-e.de")["first_name"] is None
    assert value(url, "SELECT status FROM import_job WHERE id = $1::uuid", job) == "UNDONE"


def test_import_undo_archives_a_contact_a_later_batch_filled_in(env, tmp_path):
    url = env["DATABASE_URL"]
    # given an import whose second batch fills in the contact its first created
    out = crm("import", "contacts", str(write_csv(tmp_path / "batches.csv", [
        HEADERS, ["", "", "Vogel", "vogel@firma-v.de", "", "DE", "", "", "", ""],
        ["", "Vera", "Vogel", "vogel@firma-v.de", "", "DE", "", "", "", ""]])),
        "--batch-rows", "1", env=env).stdout
    assert "created 1, updated 1" in out
    # when it is undone
    undone = crm("import", "undo", job_id_of(out), env=env).stdout
    # then the contact is archived, not merely reverted
    assert "1 records archived, 0 reverted" in undone
    assert contact_by_email(url, "vogel@firma-v.de") is None


def test_import_xlsx_keeps_leading_zeros(env, tmp_path):
    path = write_xlsx(tmp_path / "people.xlsx", [
        HEADERS, ["", "Max", "Koch", "max@koch-f.de", "030 9876543", "DE", "", "", "", ""]])
    out = crm("import", "contacts", str(path), env=env).stdout
    assert "created 1" in out
    assert contact_by_email(env["DATABASE_URL"], "max@koch-f.de")["phones"][0]["number"] \
        == "+49309876543"


def test_import_refused_for_a_role_that_may_not_write_a_mapped_field(env, tmp_path):
    path = write_csv(tmp_path / "consent.csv", [
        ["Last name", "E-mail", "Consent email newsletter"], ["Sales", "s@sales-g.de", "yes"]])
    # marketing creates no contact at all; sales may not set consents
    denied = crm("import", "contacts", str(path), "--as", "marketing@example.com", env=env,
                 check=False)
    assert denied.returncode != 0 and "You may not create a Contact" in denied.stderr
    denied = crm("import", "contacts", str(path), "--as", "sales@example.com", env=env,
                 check=False)
    assert "Contact.consents" in denied.stderr
    assert contact_by_email(env["DATABASE_URL"], "s@sales-g.de") is None


def test_import_by_sales_lands_in_records_it_owns(env, tmp_path):
    url = env["DATABASE_URL"]
    path = write_csv(tmp_path / "sales.csv", [HEADERS, [
        "", "Tom", "Richter", "tom@richter-h.de", "", "DE", "Richter H KG", "", "", ""]])
    crm("import", "contacts", str(path), "--as", "sales@example.com", env=env)
    sales = value(url, "SELECT id FROM app_user WHERE email = 'sales@example.com'")
    tom = contact_by_email(url, "tom@richter-h.de")
    assert tom["owner_id"] == sales
    assert value(url, "SELECT a.owner_id FROM account a JOIN account_contact l ON "
                      "l.account_id = a.id WHERE l.contact_id = $1", tom["id"]) == sales


def test_import_accounts_matches_by_domain_and_name_and_undoes(env, tmp_path):
    url = env["DATABASE_URL"]
    # given a file naming one company twice (its website with and without www)
    out = crm("import", "accounts", str(write_csv(tmp_path / "accounts.csv", [
        ["Company", "Website", "Industry", "External ID"],
        ["Nordwind Z", "nordwind-z.de", "Logistics", "N-9"],
        ["Nordwind Z GmbH", "https://www.nordwind-z.de", "", ""]])), env=env).stdout
    assert "created 1, updated 1" in out
    # when another file brings its tier under its legal name
    out = crm("import", "accounts", str(write_csv(tmp_path / "tier.csv", [
        ["Company", "Tier"], ["Nordwind Z AG", "GOLD"]])), env=env).stdout
    assert "created 0, updated 1" in out
    found = rows(url, "SELECT name, tier, external_id FROM account WHERE domain_key = "
                      "'nordwind-z.de' AND archived_at IS NULL")
    assert found == [{"name": "Nordwind Z", "tier": "GOLD", "external_id": "N-9"}]
    # and undoing that import takes the tier back
    assert "1 reverted" in crm("import", "undo", job_id_of(out), env=env).stdout
    assert value(url, "SELECT tier FROM account WHERE external_id = 'N-9'") is None
