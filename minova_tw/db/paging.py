"""Keyset paging: sort a query by several keys and resume after a marker row.

Sort keys are SQL expressions that are never NULL (callers coalesce nullable
columns), so the order is the same on SQLite, PostgreSQL and MariaDB, and
"after the marker" is a plain lexicographic comparison. The last key must be
unique, so that pages neither repeat nor skip rows.
"""

import sqlalchemy as sa


class MarkerNotFound(LookupError):
    """The marker row is not among the rows the caller may see."""


def page(session, stmt, keys, marker_clause=None, limit=None, params=None):
    """``stmt`` ordered by ``keys`` ([(expression, "asc"|"desc")]), after the
    row ``marker_clause`` selects from ``stmt``'s tables, at most ``limit``
    rows; ``params`` are the statements' bound parameters."""
    if marker_clause is not None:
        values = session.execute(
            sa.select(*(expr for expr, _ in keys))
            .select_from(*stmt.get_final_froms()).where(marker_clause),
            params).first()
        if values is None:
            raise MarkerNotFound()
        stmt = stmt.where(_after(keys, values))
    stmt = stmt.order_by(*(expr.desc() if direction == "desc" else expr.asc()
                           for expr, direction in keys))
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


def _after(keys, values):
    clauses = []
    for i, (expr, direction) in enumerate(keys):
        beyond = expr < values[i] if direction == "desc" else expr > values[i]
        equal = [keys[j][0] == values[j] for j in range(i)]
        clauses.append(sa.and_(*equal, beyond))
    return sa.or_(*clauses)
