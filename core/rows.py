"""Model rows read by plain SQL: for hot reads whose building by the ORM costs more than the query.

``RowReader(Model, "a")`` gives the columns to put in a SELECT (``reader.columns``, qualified by the alias) and
turns the values read back into an instance (``reader.instance(values)``), through the same converters the ORM
applies (SQLite returns booleans as integers and times as text), as ``Model.from_db`` would get them from a
queryset. Fields not named load on access, as with ``only()``.
"""

from django.db import connection


class RowReader:
    def __init__(self, model, alias: str, fields: tuple[str, ...] | None = None):
        self.model = model
        concrete = model._meta.concrete_fields
        self.fields = [f for f in concrete if fields is None or f.attname in fields or f.name in fields]
        self.names = [f.attname for f in self.fields]
        self.columns = ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in self.fields)
        self._converters: list | None = None

    def __len__(self) -> int:
        return len(self.fields)

    def converters(self) -> list:
        if self._converters is None:
            table = self.model._meta.db_table
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(table)
                functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
                if functions:
                    found.append((index, column, functions))
            self._converters = found
        return self._converters

    def instance(self, values):
        """The model instance of these values (in the order of ``columns``)."""
        values = list(values)
        for index, column, functions in self.converters():
            value = values[index]
            for convert in functions:
                value = convert(value, column, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.names, values)


def column_converter(model, name: str):
    """A function turning a value of the model's field ``name`` read by plain SQL into what the ORM gives."""
    field = model._meta.get_field(name)
    column = field.get_col(model._meta.db_table)
    functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)

    def convert(value):
        for function in functions:
            value = function(value, column, connection)
        return value

    return convert
