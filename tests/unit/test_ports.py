"""domain.ports is the one description of the stores: the real ones and the fakes keep to it."""

from __future__ import annotations

import inspect
import typing

import pytest

import persistence.uow
from domain import ports
from tests.unit.fakes import FakeUnitOfWork

STORES = typing.get_type_hints(ports.UnitOfWork)


def _methods(protocol: type) -> dict[str, inspect.Signature]:
    return {name: inspect.signature(member) for name, member in vars(protocol).items()
            if inspect.isfunction(member) and not name.startswith("_")}


def _shape(signature: inspect.Signature) -> list[tuple]:
    """Names, kinds and defaults of the parameters: what a caller relies on."""
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


@pytest.mark.parametrize("attribute", sorted(STORES))
def test_store_implementations_keep_to_the_port(attribute):
    # given the protocol a unit of work's store follows
    protocol = STORES[attribute]
    # when its persistence store (imported under the protocol's name) and its fake are read
    real = getattr(persistence.uow, protocol.__name__)
    fake = type(getattr(FakeUnitOfWork(), attribute))
    # then both have each of its methods, with the same parameters
    for name, signature in _methods(protocol).items():
        assert _shape(inspect.signature(getattr(real, name))) == _shape(signature), (real, name)
        assert _shape(inspect.signature(getattr(fake, name))) == _shape(signature), (fake, name)


def test_fake_unit_of_work_holds_every_store():
    assert set(vars(FakeUnitOfWork())) >= set(STORES)
