"""The analytical reader plans each statement for its values and does not compile it; the
request reader keeps the pool's generic plans."""

from __future__ import annotations

from persistence.db import Reader, make_engine

SETTINGS = "SELECT current_setting('plan_cache_mode') AS plans, current_setting('jit') AS jit"


async def test_analytical_reads_are_planned_for_their_values(engine):
    # when the same question is asked through both readers
    analytical = await Reader(engine, planned_for_values=True).rows(SETTINGS, [])
    operational = await Reader(engine).rows(SETTINGS, [])
    # then only the analytical one is planned for its values, and without JIT
    assert analytical == [{"plans": "force_custom_plan", "jit": "off"}]
    assert operational[0]["plans"] == "force_generic_plan"


async def test_an_analytical_read_leaves_its_connection_as_it_found_it(database_url):
    # given a pool of one connection, and an analytical read on it
    engine = make_engine(database_url, pool_size=1)
    try:
        await Reader(engine, planned_for_values=True).rows(SETTINGS, [])
        # when the same connection serves a request's read
        settings = await Reader(engine).rows(SETTINGS, [])
    finally:
        await engine.dispose()
    # then it has the pool's settings again
    assert settings[0]["plans"] == "force_generic_plan"
