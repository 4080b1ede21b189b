"""What every query and mutation resolver does the same way."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from api.schema import forms
from api.schema.errors import argument_error, coded_error, user_errors
from api.schema.fields import wrap
from api.schema.filters import to_domain_filter, to_order_terms
from api.schema.ids import from_global_id, parse_id
from api.schema.operational.inputs import field_values
from api.schema.relay import Connection, connection, page_args
from domain.errors import DomainError, ErrorCode
from domain.filters import Filter, OrderTerm
from domain.services.records import create_record, update_record
from persistence.queries import check_list_arguments, fetch_page
from persistence.uow import SPECS

DEFAULT_ORDER = [OrderTerm("createdAt")]


def decode_query_id(global_id: str) -> tuple[str, uuid.UUID]:
    """A query argument id; a malformed one is an INVALID error, not a silent null."""
    try:
        return from_global_id(global_id)
    except ValueError:
        raise coded_error(f"{global_id!r} is not a valid id.", ErrorCode.INVALID.value,
                          argument="id") from None


async def get_record(info: strawberry.Info, type_name: str, global_id: str):
    """One record by id, or null when there is none the caller may see."""
    found_type, raw = decode_query_id(global_id)
    if found_type != type_name:
        return None
    return wrap(type_name, await info.context.loaders.by_id(type_name).load(raw))


@contextlib.contextmanager
def arguments_checked():
    """Problems with a query's arguments become a top-level error with their code."""
    try:
        yield
    except DomainError as exc:
        raise argument_error(exc) from None


async def list_records(info: strawberry.Info, type_name: str, *, first, after, last, before,
                       filter, order_by, references: dict[str, str],
                       include_archived: bool) -> Connection:
    """A page of a type's records under the caller's rules, from filter and order inputs."""
    with arguments_checked():
        condition = to_domain_filter(filter, references)
        order = to_order_terms(order_by)
        check_list_arguments(SPECS[type_name], info.context.access, condition, order)
        order = order or DEFAULT_ORDER
    return await page_of(info, type_name, (first, after, last, before), condition, order,
                         include_archived=include_archived)


async def page_of(info: strawberry.Info, type_name: str, paging: tuple, condition: Filter | None,
                  order: list[OrderTerm], *, include_archived: bool = False,
                  scope=None) -> Connection:
    """A page of a type's records under the caller's rules; `scope` narrows it (fetch_page)."""
    request = page_args(info, *paging)
    with arguments_checked():
        page = await fetch_page(info.context.reader, SPECS[type_name], info.context.access,
                                request=request, order=order, filter=condition,
                                include_archived=include_archived, scope=scope)
    return connection(page, lambda row: wrap(type_name, row))


async def fixed_page(info: strawberry.Info, form: forms.Page, first, after, last=None,
                     before=None) -> Connection:
    """A page of the form's type in its one order: the same rows the compiled path reads."""
    return await page_of(info, form.type_name, (first, after, last, before), None,
                         list(form.order))


async def reread(info: strawberry.Info, type_name: str, record_id: uuid.UUID):
    """The record as the caller may now see it, bypassing the request's loader cache: the
    row its write handed back, when it did, else a read."""
    loaders = info.context.loaders
    loader = loaders.by_id(type_name)
    with contextlib.suppress(KeyError):  # not cached yet
        loader.clear(record_id)
    handed, row = loaders.take_written(type_name, record_id)
    if not handed:
        row = await loader.load(record_id)
    elif row is not None:
        loader.prime(record_id, row)
    return wrap(type_name, row)


async def mutate(info: strawberry.Info, payload: type, field: str, type_name: str,
                 action: Callable[[], Awaitable[uuid.UUID]]) -> Any:
    """Run a use case; expected failures become UserErrors and nothing is written."""
    async def typed():
        return type_name, await action()
    return await mutate_any(info, payload, field, typed)


async def mutate_any(info: strawberry.Info, payload: type, field: str,
                     action: Callable[[], Awaitable[tuple[str, uuid.UUID]]]) -> Any:
    """As mutate, for a use case on a record of one of several types: it returns the type
    and the id."""
    try:
        type_name, record_id = await action()
    except DomainError as exc:
        return payload(errors=user_errors(exc))
    return payload(**{field: await reread(info, type_name, record_id)}, errors=[])


async def save_record(info: strawberry.Info, kind, data, payload: type, field: str,
                      prepare: Callable[[dict], dict] = lambda values: values) -> Any:
    """Create when the input has no id, update when it has one with its version; `prepare`
    turns the input's values into the domain's form first."""
    ctx = info.context

    async def action():
        values = prepare(field_values(data, dict(kind.references)))
        if getattr(data, "id", strawberry.UNSET) in (strawberry.UNSET, None):
            return await create_record(kind, values, ctx.uow(), ctx.access)
        if data.version in (strawberry.UNSET, None):
            raise DomainError.one("version", ErrorCode.REQUIRED, "Send the version you last read.")
        return await update_record(kind, parse_id(data.id, kind.type_name), data.version, values,
                                   ctx.uow(), ctx.access)

    return await mutate(info, payload, field, kind.type_name, action)
