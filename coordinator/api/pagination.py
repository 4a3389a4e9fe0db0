"""One way to page a list endpoint: `?page=` (from 1) and `?limit=` (rows a
page, DEFAULT_LIMIT unless told, at most MAX_LIMIT). The body stays the
array it always was; a page that is not the last carries a `Link` header
with `rel="next"` (RFC 8288), the same URL with the next page number, so a
client follows it until it is absent. The database does the paging: the
query asks for one row more than the page (to know whether another follows)
at the page's offset, and every paged query orders by a unique key last, so
no row appears on two pages or on none."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, g, request
from marshmallow import fields, validate
from sqlalchemy import Select

from coordinator.api.schemas import StrictSchema

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_PAGE = 100_000

DESCRIPTION = (
    f"Paged: `page` (from 1) and `limit` (rows a page, {DEFAULT_LIMIT} by default, at most {MAX_LIMIT}). "
    'A page that is not the last has a `Link` header with `rel="next"`; follow it until there is none.'
)
LINK_HEADER = {
    "Link": {
        "description": 'The next page, `<URL>; rel="next"`; absent on the last page.',
        "schema": {"type": "string"},
    }
}


class PageQuery(StrictSchema):
    """The paging parameters; a list's query schema inherits them."""

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number, from 1."},
    )
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Rows a page: {DEFAULT_LIMIT} by default, at most {MAX_LIMIT}."},
    )


def window(query: Select, args: dict[str, Any]) -> Select:
    """The query limited to the asked page plus one row (which tells whether
    a next page exists; `rows()` drops it)."""
    return query.limit(args["limit"] + 1).offset((args["page"] - 1) * args["limit"])


def rows(found: list[Any], args: dict[str, Any]) -> list[Any]:
    """The page's rows out of `window()`'s; notes the next page for the Link header."""
    if len(found) > args["limit"]:
        g.next_page = args["page"] + 1
    return found[: args["limit"]]


def note_next(page: int | None) -> None:
    """Note the next page (None: this is the last) for the Link header, for a
    view that pages by itself (for example from a cached page)."""
    if page is not None:
        g.next_page = page


def params(args: dict[str, Any]) -> dict[str, Any]:
    """The service's keyword arguments for a page: `limit` (one more than the
    page) and `offset`."""
    return {"limit": args["limit"] + 1, "offset": (args["page"] - 1) * args["limit"]}


def _link(response: Response) -> Response:
    next_page = g.pop("next_page", None)
    if next_page is not None and response.status_code == 200:
        query = request.args.copy()
        query["page"] = str(next_page)
        url = request.base_url + "?" + urlencode(list(query.items(multi=True)))
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response


def init_app(app: Flask) -> None:
    app.after_request(_link)
