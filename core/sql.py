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

``execute`` runs the hand-written statements of the hot paths (intake, routing, sending) as statements each
database session prepares once: PostgreSQL then parses and plans them once per connection instead of at every
call, which for the joins of the routing and sending reads cost more than running them (pg_stat_statements).
"""

import re

from django.conf import settings
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
        sql, row_params = _insert_sql(obj, using, frozenset(links))
        for attname, parent in links.items():
            sql = sql.replace(
                _link_marker(attname), f"(SELECT {quote(parent._meta.pk.column)} FROM r{position[id(parent)]})"
            )
        parts.append(f"r{index} AS ({sql} RETURNING {quote(obj._meta.pk.column)})")
        params.extend(row_params)
    ids = ", ".join(f"(SELECT {quote(obj._meta.pk.column)} FROM r{index})" for index, (obj, _links) in enumerate(rows))
    with connection.cursor() as cursor:
        execute(cursor, f"WITH {', '.join(parts)} SELECT {ids}", params)
        written = cursor.fetchone()
    for (obj, links), pk in zip(rows, written, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
        for attname, parent in links.items():
            obj.__dict__[attname] = parent.pk


# (model, database alias, pk drawn by the database, linked attnames) → the INSERT's text with a marker per link;
# None when the model's INSERT cannot be reused (a field with a placeholder of its own).
_TEMPLATES: dict[tuple, str | None] = {}


def _link_marker(attname: str) -> str:
    return f"__sigap_link_{attname}__"


def _insert_sql(obj: Model, using: str, linked: frozenset[str]) -> tuple[str, list]:
    """The INSERT the ORM compiles for ``obj`` (without its auto primary key; a marker for each linked foreign
    key), and its parameters.

    The text is compiled once per model and reused: each later row only has its values prepared as the
    compiler prepares them (``pre_save``, then ``get_db_prep_save``). A row with an expression among its values
    is compiled whole."""
    meta = obj._meta
    fields = [
        field
        for field in meta.local_concrete_fields
        if not getattr(field, "generated", False) and not (field is meta.auto_field and obj.pk is None)
    ]
    connection = connections[using]
    values = [None if field.attname in linked else field.pre_save(obj, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        return _compile(obj, fields, using, linked)
    key = (type(obj), using, obj.pk is None, linked)
    if key not in _TEMPLATES:
        if any(hasattr(field, "get_placeholder") for field in fields if field.attname not in linked):
            _TEMPLATES[key] = None
        else:
            sql, params = _compile(obj, fields, using, linked)
            _TEMPLATES[key] = sql
            return sql, params
    sql = _TEMPLATES[key]
    if sql is None:
        return _compile(obj, fields, using, linked)
    params = [
        field.get_db_prep_save(value, connection=connection)
        for field, value in zip(fields, values, strict=True)
        if field.attname not in linked
    ]
    return sql, params


def _compile(obj: Model, fields: list, using: str, linked: frozenset[str]) -> tuple[str, list]:
    saved = {attname: obj.__dict__.get(attname) for attname in linked}
    for attname in linked:
        # Set in the instance's dict, not through the descriptor, which would drop the cached parent.
        obj.__dict__[attname] = RawSQL(_link_marker(attname), ())
    try:
        query = InsertQuery(type(obj))
        query.insert_values(fields, [obj], raw=False)
        [(sql, params)] = query.get_compiler(using=using).as_sql()
    finally:
        obj.__dict__.update(saved)
    return sql, list(params)


# --- Prepared statements ---------------------------------------------------------------------------------

# A connection prepares at most this many statements (texts built from a variable number of ids each count);
# past it, further texts run unprepared.
PREPARED_PER_CONNECTION = 256
_PLACEHOLDER = re.compile(r"%(s|%)")


def execute(cursor, sql: str, params=()) -> None:
    """``cursor.execute(sql, params)`` (a cursor of ``connection.cursor()``), on PostgreSQL through a statement
    the connection prepared once (``PREPARE``, then ``EXECUTE`` with the values).

    The first call of a text on a connection prepares it; a new connection (a restart, ``CONN_MAX_AGE``) starts
    with none. A prepared statement outlives a rolled-back transaction (PostgreSQL's rule), so one prepared in
    a transaction that failed later is still there. Where the queries are being recorded (a test capturing them,
    ``DEBUG``) the text runs unprepared, so what is recorded reads as the statement itself, and the number of
    statements is the same either way. Placeholders are ``%s``; PostgreSQL infers each value's type from where
    it stands, so a value whose place says nothing of its type (a bare ``SELECT %s``) needs a cast. Off with
    ``DATABASE_PREPARED_STATEMENTS`` (a pooler sharing sessions between clients).
    """
    db = cursor.db
    if db.vendor != "postgresql" or db.queries_logged or not settings.DATABASE_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    raw = db.connection
    prepared = db.__dict__.get("_sigap_prepared")
    if prepared is None or prepared[0] is not raw:  # a new session: nothing prepared on it yet
        prepared = db.__dict__["_sigap_prepared"] = (raw, {})
    names = prepared[1]
    name = names.get(sql)
    if name is None:
        if len(names) >= PREPARED_PER_CONNECTION:
            cursor.execute(sql, params)
            return
        name = f"sigap_{len(names)}"
        numbered = iter(range(1, 1 + sql.count("%s")))
        text = _PLACEHOLDER.sub(lambda m: f"${next(numbered)}" if m.group(1) == "s" else "%", sql)
        with db.wrap_database_errors:
            cursor.cursor.execute(f"PREPARE {name} AS {text}")  # not one of the queries a test counts
        names[sql] = name
    if params:
        cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
    else:
        cursor.execute(f"EXECUTE {name}")
