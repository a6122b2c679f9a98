"""``field__any=[...]``: membership in a list of values, sent to PostgreSQL as one array
parameter (``field = ANY(%s)``) instead of one parameter a value (``field IN (%s, %s, …)``).

The indicator pages read the tallies of an organization and its children: a province's
dashboard made a dozen queries of 55 to 75 parameters each. Every parameter is prepared by the
ORM one at a time, the query text grows with the list (psycopg does not cache the parsing of
long queries), and each length is a different statement to prepare. As one array the query
has the same text whatever the number of organizations. On SQLite, which has no arrays, the
lookup is written as ``IN``. Registered on UUID fields and foreign keys (``CoreConfig.ready``).
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        if hasattr(self.rhs, "resolve_expression"):
            # a subquery stays one (``__in``); reading it into a list here would hold every row
            raise TypeError("field__any takes a list of values; a subquery goes to field__in.")
        values = []
        seen = set()
        for value in self.rhs:
            value = getattr(value, "pk", value)  # an instance stands for its key
            if value is not None and value not in seen:
                seen.add(value)
                values.append(value)
        return values

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=False) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
