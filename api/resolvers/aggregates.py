"""contactsAggregate, accountsAggregate, opportunitiesAggregate, ordersAggregate and
casesAggregate: each list's records counted and added up in groups, under the list's filter.

The resolvers are made per type, so their annotations must be the types themselves: this
module does not postpone annotations, as strawberry reads them when the schema is built.
"""

from typing import Annotated

import strawberry

from api.resolvers.common import arguments_checked
from api.schema.analytical.aggregates import aggregate_types
from api.schema.fields import TYPES
from api.schema.filters import to_domain_filter
from api.schema.operational.accounts import AccountFilter
from api.schema.operational.cases import CaseFilter
from api.schema.operational.contacts import ContactFilter
from api.schema.operational.opportunities import OpportunityFilter
from api.schema.operational.orders import OrderFilter
from api.schema.relay import IncludeArchived, arg
from persistence.accounts import ACCOUNT
from persistence.aggregates import MAX_GROUP_FIELDS, aggregable, aggregate
from persistence.cases import CASE
from persistence.contacts import CONTACT
from persistence.declaration import RecordType
from persistence.opportunities import OPPORTUNITY
from persistence.orders import ORDER

# The lists that have aggregates: record type, the list's filter input, the list's name.
AGGREGATED = ((CONTACT, ContactFilter, "contacts"), (ACCOUNT, AccountFilter, "accounts"),
              (OPPORTUNITY, OpportunityFilter, "opportunities"), (ORDER, OrderFilter, "orders"),
              (CASE, CaseFilter, "cases"))
# GraphQL field name -> the record type it aggregates, for the tests that walk the schema.
AGGREGATE_FIELDS: dict[str, str] = {}


def aggregate_field(record: RecordType, filter_input: type, plural: str):
    """The `<plural>Aggregate` field of one record type."""
    types = aggregate_types(aggregable(record), TYPES[record.name])
    references = {f.name: f.target for f in record.fields.values() if f.target is not None}
    FilterArg = Annotated[filter_input | None, arg(
        f"Which {plural} to count, as the `{plural}` list takes it.")]
    GroupByArg = Annotated[list[types.group_by] | None, arg(
        f"Up to {MAX_GROUP_FIELDS} fields to group by, each only if you may read it; none: "
        f"one group of all.")]

    async def run(info: strawberry.Info, filter, group_by, numbers, include_archived):
        ctx = info.context
        with arguments_checked():
            result = await aggregate(
                ctx.analytics_reader, types.agg, ctx.access, filter=to_domain_filter(filter, references),
                groupings=types.groupings(group_by), numbers=[n.value for n in numbers or ()],
                include_archived=include_archived)
        return types.render(result, group_by, numbers)

    if types.numeric_field is None:
        async def resolve(self, info: strawberry.Info, filter: FilterArg = None,
                          group_by: GroupByArg = None,
                          include_archived: IncludeArchived = False) -> types.result:
            return await run(info, filter, group_by, None, include_archived)
    else:
        NumbersArg = Annotated[list[types.numeric_field] | None, arg(
            "Numbers to add up in each group, each only if you may read it.")]

        async def resolve(self, info: strawberry.Info, filter: FilterArg = None,
                          group_by: GroupByArg = None, numbers: NumbersArg = None,
                          include_archived: IncludeArchived = False) -> types.result:
            return await run(info, filter, group_by, numbers, include_archived)

    AGGREGATE_FIELDS[f"{plural}Aggregate"] = record.name
    return strawberry.field(resolver=resolve, description=(
        f"The {plural} you may see, under the list's filter, counted (and their numbers "
        f"added up) in groups; archived ones are left out unless asked for."))


def _queries(aggregated=AGGREGATED) -> type:
    fields = {f"{plural}_aggregate": aggregate_field(record, filter_input, plural)
              for record, filter_input, plural in aggregated}
    return strawberry.type(type("AggregateQueries", (), fields))


AggregateQueries = _queries()
