"""The app factory that uvicorn imports in each worker."""

from __future__ import annotations

from starlette.applications import Starlette

from api.app import create_app
from api.settings import load_settings


def app() -> Starlette:
    return create_app(load_settings())
