"""New rows that refer to each other, written in one round trip to PostgreSQL.

A report's intake writes the ticket, its "opened" event, its service-level clock and its outbox rows, each
pointing at the ticket (and the outbox rows at the event). Saved one by one that is a statement and a round
trip each, every one waiting for the id of the one before. ``insert_linked`` writes them as one statement: a
data-modifying CTE per row, a row's reference to an earlier one a sub-select of that row's ``RETURNING``, and
the ids of all of them read back at the end. Each INSERT is the one Django's ORM compiles for the object
(``pre_save`` of each field, its database preparation), so defaults, ``auto_now`` and JSON columns are written
as ``save()`` writes them.

Model signals are not sent (as with ``bulk_create``): a caller that needs ``post_save`` sends it. On a database
other than PostgreSQL (SQLite, the embedded default) the rows are written one after the other.
"""

from django.db import connections, router
from django.db.models import Model
from django.db.models.expressions import RawSQL
from django.db.models.sql.subqueries import InsertQuery

Row = tuple[Model, dict[str, Model]]  # an unsaved object and {its foreign key's attname: an earlier object}


def insert_linked(rows: list[Row], *, using: str | None = None) -> None:
    """Insert the unsaved objects of ``rows`` in order, each foreign key named in its links pointing at the
    linked object (which comes earlier in ``rows``); sets each object's primary key. One statement on
    PostgreSQL."""
    if not rows:
        return
    using = using or router.db_for_write(type(rows[0][0]))
    connection = connections[using]
    position = {id(obj): index for index, (obj, _links) in enumerate(rows)}
    for index, (obj, links) in enumerate(rows):
        if not obj._state.adding or obj.pk is not None:
            raise ValueError(f"{obj!r} is already saved")
        for attname, parent in links.items():
            if position.get(id(parent), index) >= index:
                raise ValueError(f"{obj!r}.{attname} links to an object that is not written before it")
    if connection.vendor != "postgresql":
        for obj, links in rows:
            for attname, parent in links.items():
                obj.__dict__[attname] = parent.pk
            type(obj)._base_manager.using(using).bulk_create([obj])
        return
    quote = connection.ops.quote_name
    parts, params = [], []
    for index, (obj, links) in enumerate(rows):
        for attname, parent in links.items():
            # Set in the instance's dict, not through the descriptor, which would drop the cached parent.
            parent_index = position[id(parent)]
            obj.__dict__[attname] = RawSQL(f"(SELECT {quote(parent._meta.pk.column)} FROM r{parent_index})", ())
        try:
            sql, row_params = _insert_sql(obj, using)
        finally:
            for attname in links:
                obj.__dict__[attname] = None
        parts.append(f"r{index} AS ({sql} RETURNING {quote(obj._meta.pk.column)})")
        params.extend(row_params)
    ids = ", ".join(f"(SELECT {quote(obj._meta.pk.column)} FROM r{index})" for index, (obj, _links) in enumerate(rows))
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {ids}", params)
        written = cursor.fetchone()
    for (obj, links), pk in zip(rows, written, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
        for attname, parent in links.items():
            obj.__dict__[attname] = parent.pk


def _insert_sql(obj: Model, using: str) -> tuple[str, list]:
    """The INSERT the ORM compiles for ``obj`` (without its auto primary key), and its parameters."""
    meta = obj._meta
    fields = [
        field
        for field in meta.local_concrete_fields
        if not getattr(field, "generated", False) and not (field is meta.auto_field and obj.pk is None)
    ]
    query = InsertQuery(type(obj))
    query.insert_values(fields, [obj], raw=False)
    [(sql, params)] = query.get_compiler(using=using).as_sql()
    return sql, list(params)
