"""Global ids of demo records that tests refer to by name."""

from api.schema.ids import to_global_id
from persistence.seed.generator import stable_id


def gid(type_name: str, kind: str, key) -> str:
    return to_global_id(type_name, stable_id(kind, key))


CUSTOMER = gid("Contact", "contact", "customer")
# Account 0 is registered to Demo Partner; the customer works there.
DEMO_PARTNER_ACCOUNT = gid("Account", "account", 0)
# Account 12 is registered to Northwind Resellers only.
OTHER_PARTNER_ACCOUNT = gid("Account", "account", 12)
# Contact 12 works at account 12; contact 6 is a B2C contact no partner reaches... (see test)
OTHER_PARTNER_CONTACT = gid("Contact", "contact", 12)
DEMO_PARTNER_CONTACT = gid("Contact", "contact", 1)
UNREGISTERED_CONTACT = gid("Contact", "contact", 30)
UNREGISTERED_ACCOUNT = gid("Account", "account", 30)
SALES_USER = gid("User", "user", "sales@example.com")
SALES2_USER = gid("User", "user", "sales2@example.com")
TERRITORY_DACH = gid("Territory", "territory", "DACH")
TERRITORY_EMEA = gid("Territory", "territory", "EMEA")
TERRITORY_NORTH_AMERICA = gid("Territory", "territory", "North America")
DEMO_PARTNER = gid("Partner", "partner", "Demo Partner")
# The demo's first deal, and a deal Demo Partner registered and sales approved.
DEMO_DEAL = gid("Opportunity", "opportunity", 1)
DEMO_PARTNER_DEAL = gid("Opportunity", "opportunity", "partner-Demo Partner-2")
DEMO_LEAD = gid("Lead", "lead", 0)
DEMO_ACTIVITY = gid("Activity", "activity", 1)
DEMO_ORDER = gid("Order", "order", 1)
