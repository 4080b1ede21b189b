"""The GraphQL schema: every query and mutation module, registered here and only here."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from api.resolvers.accounts import AccountMutations, AccountQueries
from api.resolvers.activities import ActivityMutations, ActivityQueries
from api.resolvers.audit import AuditQueries
from api.resolvers.cases import CaseMutations, CaseQueries
from api.resolvers.consents import ConsentMutations
from api.resolvers.contacts import ContactMutations, ContactQueries
from api.resolvers.directory import DirectoryMutations, DirectoryQueries
from api.resolvers.knowledge import KnowledgeMutations, KnowledgeQueries
from api.resolvers.leads import LeadMutations, LeadQueries
from api.resolvers.links import LinkMutations
from api.resolvers.node import NodeQueries
from api.resolvers.notes import NoteMutations
from api.resolvers.opportunities import OpportunityMutations, OpportunityQueries
from api.resolvers.orders import OrderMutations, OrderQueries
from api.resolvers.viewer import ViewerQueries
from api.schema.operational.accounts import Account
from api.schema.operational.activities import Activity, CallScript
from api.schema.operational.audit import AuditEntry
from api.schema.operational.cases import Case, CaseQueue
from api.schema.operational.consents import Consent
from api.schema.operational.contacts import Contact
from api.schema.operational.knowledge import Article
from api.schema.operational.leads import AssignmentRule, CaptureForm, Lead
from api.schema.operational.notes import Note
from api.schema.operational.opportunities import Opportunity
from api.schema.operational.orders import Order, PriceBook, Product
from api.schema.operational.partners import Partner
from api.schema.operational.pipelines import Pipeline, Stage
from api.schema.operational.sla import BusinessCalendar, SlaPolicy
from api.schema.operational.territories import Territory
from api.schema.operational.users import User
from api.schema.scalars import SCALARS


@strawberry.type(description="Reads of the customer record.")
class Query(NodeQueries, ViewerQueries, ContactQueries, AccountQueries, LeadQueries,
            OpportunityQueries, ActivityQueries, OrderQueries, CaseQueries, KnowledgeQueries,
            DirectoryQueries, AuditQueries):
    pass


@strawberry.type(description="Writes: each takes one input and returns a payload with errors.")
class Mutation(ContactMutations, AccountMutations, LeadMutations, OpportunityMutations,
               ActivityMutations, OrderMutations, CaseMutations, KnowledgeMutations, NoteMutations,
               ConsentMutations, LinkMutations, DirectoryMutations):
    pass


# Types reachable only through node(id) must be named so that the schema includes them.
NODE_TYPES = [Contact, Account, User, Territory, Partner, Note, Consent, AuditEntry, Opportunity,
              Pipeline, Stage, Lead, CaptureForm, AssignmentRule, Activity, CallScript,
              Product, PriceBook, Order, Article, Case, CaseQueue, BusinessCalendar, SlaPolicy]

schema = strawberry.Schema(query=Query, mutation=Mutation, types=NODE_TYPES,
                           config=StrawberryConfig(scalar_map=SCALARS))
