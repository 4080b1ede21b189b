"""A contact's place in an account, seen from either side as a connection edge."""

from __future__ import annotations

import strawberry

from api.schema.fields import column, wrap
from api.schema.operational.refs import AccountRef, ContactRef
from api.schema.relay import PageInfo, page_info
from persistence.paging import Page

JOB_TITLE = "The contact's job title at the account."
DECIDES = "Whether the contact decides purchases at the account."


@strawberry.type(description="An account of a contact, with the contact's role there.")
class ContactAccountEdge:
    data: strawberry.Private[dict]
    cursor: str = strawberry.field(description="Pass as `after` (or `before`) to page from here.")
    node: AccountRef = strawberry.field(description="The account.")
    job_title: str | None = column(JOB_TITLE, type_name="AccountContact")
    is_decision_maker: bool | None = column(DECIDES, type_name="AccountContact")


@strawberry.type(description="A contact's accounts, by account name.")
class ContactAccountConnection:
    edges: list[ContactAccountEdge] = strawberry.field(description="Accounts, with cursors and roles.")
    nodes: list[AccountRef] = strawberry.field(description="Accounts, without cursors.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int | None = strawberry.field(description="How many in all; counted when asked.")


@strawberry.type(description="A contact of an account, with the contact's role there.")
class AccountContactEdge:
    data: strawberry.Private[dict]
    cursor: str = strawberry.field(description="Pass as `after` (or `before`) to page from here.")
    node: ContactRef = strawberry.field(description="The contact.")
    job_title: str | None = column(JOB_TITLE, type_name="AccountContact")
    is_decision_maker: bool | None = column(DECIDES, type_name="AccountContact")


@strawberry.type(description="An account's contacts, by last name.")
class AccountContactConnection:
    edges: list[AccountContactEdge] = strawberry.field(description="Contacts, with cursors and roles.")
    nodes: list[ContactRef] = strawberry.field(description="Contacts, without cursors.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int | None = strawberry.field(description="How many in all; counted when asked.")


def membership_connection(page: Page, node_type: str):
    """Build either side's connection from a page of {edge, node} rows."""
    edge_cls, conn_cls = ((ContactAccountEdge, ContactAccountConnection) if node_type == "Account"
                          else (AccountContactEdge, AccountContactConnection))
    nodes = [wrap(node_type, row["node"]) for row in page.rows]
    edges = [edge_cls(data=row["edge"], cursor=cursor, node=node)
             for row, cursor, node in zip(page.rows, page.cursors, nodes, strict=True)]
    return conn_cls(edges=edges, nodes=nodes, page_info=page_info(page), total_count=page.total)
