"""contact, contacts, and the contact mutations."""

from __future__ import annotations

from api.resolvers.plain import plain_record_resolvers
from api.schema.operational.contacts import (
    Contact,
    ContactCreateInput,
    ContactFilter,
    ContactOrder,
    ContactPayload,
    ContactUpdateInput,
)
from domain.services.contacts import CONTACT

ContactQueries, ContactMutations = plain_record_resolvers(
    CONTACT, node=Contact, filter_input=ContactFilter, order_input=ContactOrder,
    create_input=ContactCreateInput, update_input=ContactUpdateInput, payload=ContactPayload,
    name="contact", plural="contacts", article="a")
