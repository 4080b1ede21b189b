"""The GraphQL schema: every query and mutation module, registered here and only here."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from api.resolvers.accounts import AccountMutations, AccountQueries
from api.resolvers.activities import ActivityMutations, ActivityQueries
from api.resolvers.aggregates import AggregateQueries
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
from api.resolvers.pipelines import PipelineMutations
from api.resolvers.viewer import ViewerQueries
from api.schema.analytical.cohorts import CohortQueries
from api.schema.analytical.customer_kpis import CustomerKpiQueries
from api.schema.analytical.funnel import FunnelQueries
from api.schema.analytical.lifetime import LifetimeQueries
from api.schema.analytical.survey_mutations import SurveyMutations
from api.schema.analytical.surveys import SurveyQueries
from api.schema.collaborative.comments import CommentMutations
from api.schema.collaborative.live import Subscription
from api.schema.collaborative.notifications import NotificationMutations, NotificationQueries
from api.schema.collaborative.webhooks import WebhookMutations, WebhookQueries
from api.schema.fields import TYPES
from api.schema.operational.custom_fields import CustomFieldMutations, CustomFieldQueries
from api.schema.operational.duplicates import DuplicateMutations, DuplicateQueries
from api.schema.operational.imports import ImportMutations, ImportQueries
from api.schema.operational.merges import MergeMutations
from api.schema.operational.tags import TagMutations, TagQueries
from api.schema.scalars import SCALARS
from persistence.record_types import RECORD_TYPES


@strawberry.type(description="Reads of the customer record.")
class Query(NodeQueries, ViewerQueries, ContactQueries, AccountQueries, LeadQueries,
            OpportunityQueries, ActivityQueries, OrderQueries, CaseQueries, KnowledgeQueries,
            DirectoryQueries, AuditQueries, TagQueries, CustomFieldQueries,
            NotificationQueries, WebhookQueries, DuplicateQueries, ImportQueries,
            LifetimeQueries, CohortQueries, FunnelQueries, SurveyQueries,
            CustomerKpiQueries, AggregateQueries):
    pass


@strawberry.type(description="Writes: each takes one input and returns a payload with errors.")
class Mutation(ContactMutations, AccountMutations, LeadMutations, OpportunityMutations,
               ActivityMutations, OrderMutations, CaseMutations, KnowledgeMutations, NoteMutations,
               ConsentMutations, LinkMutations, DirectoryMutations, PipelineMutations,
               TagMutations, CustomFieldMutations, CommentMutations, NotificationMutations,
               WebhookMutations, MergeMutations, DuplicateMutations, ImportMutations,
               SurveyMutations):
    pass


# Every record type that is a Node, as declared: those reachable only through node(id) must be
# named so that the schema includes them.
NODE_TYPES = [TYPES[r.name] for r in RECORD_TYPES if r.node]

schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription,
                           types=NODE_TYPES,
                           config=StrawberryConfig(scalar_map=SCALARS))
