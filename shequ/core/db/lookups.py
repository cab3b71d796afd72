"""Lookups that PostgreSQL can read by an index where the plain one cannot; the same rows on every database.

`InArray`: `column IN (subquery)` that PostgreSQL can read by an index inside an OR.

PostgreSQL plans `a IN (SELECT …) OR b = x OR …` as a hashed subplan tested on every row: one arm that is not
an index condition makes the whole OR a sequential scan. Written `a = ANY(ARRAY(SELECT …))`, the subquery runs
once before the scan (an InitPlan) and its array is an index condition, so each arm of the OR is read by its own
index and the bitmaps are OR-ed (a BitmapOr): the scoped count of a street officer's appeals went from a scan of
every appeal to the few thousand of his street (bench/pages/RESULTS.md, issue 22).

It is the shape for a *small* id set met by an index (a district's areas, a unit's assignments). As a filter
tested row by row the array is searched linearly, so a walk down a big list keeps `IN (subquery)`, which is hashed.
SQLite (and any other database) gets `IN (subquery)`: the same rows.

    InArray(F("area_id"), Area.objects.filter(...).values("pk"))   # usable in filter() and inside Q(...)

`ContainsByBigrams`: `text LIKE '%…%'` read from a GIN index of the text's two-character substrings.
"""

from __future__ import annotations

from django.db.models.lookups import Contains, In


class InArray(In):
    def get_rhs_op(self, connection, rhs):
        if connection.vendor == "postgresql" and not self.rhs_is_direct_value():
            return f"= ANY(ARRAY{rhs})"
        return super().get_rhs_op(connection, rhs)


# The text's two-character substrings, a PostgreSQL function created by appeals migration 0017: the
# expression of the appeals' bigram index and of the condition that reads it.
BIGRAMS_FUNCTION = "shequ_bigrams"


class ContainsByBigrams(Contains):
    """`text LIKE '%q%'` that PostgreSQL can answer from a GIN index on the text's bigrams.

    Chinese is written without spaces and most searches are two characters (路灯, 噪音). pg_trgm's trigrams
    cannot serve them: a two-character pattern has no trigram of its own, so its GIN index returned every row
    for a recheck (574 ms at 200,000 appeals, slower than the scan; bench/pages/RESULTS.md). An index on the
    text's bigrams can: every bigram of the query must be among the row's (`@>`), and the LIKE rechecks order
    and adjacency. On PostgreSQL, for a query of two characters or more:

        shequ_bigrams(text) @> shequ_bigrams('路灯') AND text LIKE '%路灯%'

    Both stay even for two characters, where the bigram alone would answer: a plan that walks a list newest first tests the cheap LIKE on each row and computes the bigrams only of the rows that pass it,
    since PostgreSQL orders a filter's conditions by their cost. A one-character query, and SQLite, keep the
    plain LIKE (the same rows).

        Q(ContainsByBigrams(F("text"), q))
    """

    def as_postgresql(self, compiler, connection):
        sql, params = self.as_sql(compiler, connection)
        if not isinstance(self.rhs, str) or len(self.rhs) < 2:
            return sql, params
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        bigrams = f"{BIGRAMS_FUNCTION}({lhs_sql}) @> {BIGRAMS_FUNCTION}(%s)"
        return f"({bigrams} AND {sql})", (*lhs_params, self.rhs, *params)
