"""The bulk loader's plumbing: hashed choices, INSERT … SELECT, timing, index drop and rebuild."""

import sys
import time
from datetime import datetime


def sql_text_array(values: list[str]) -> str:
    """A PostgreSQL text[] literal of our own constants (no outside input)."""
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def sql_int_array(values: list[int]) -> str:
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]::bigint[]"


def pick(array_sql: str, hashed: str, length: int) -> str:
    """The element of an array literal a hash chooses."""
    return f"({array_sql})[1 + mod({hashed}, {length})]"


class LoaderBase:
    def __init__(self, *, seed: int, sizes: dict[str, int], now: datetime) -> None:
        from django.db import connection

        self.connection = connection
        self.seed = seed
        self.sizes = sizes
        self.now = now
        self.steps: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.filled_by_default: dict[str, list[str]] = {}
        self.dropped_indexes: list[tuple[str, str]] = []

    # --- helpers --------------------------------------------------------------------------

    def h(self, k: int, row: str = "g") -> str:
        """A non-negative 63-bit hash of the row number and (seed, k)."""
        return f"(hashint8extended({row}::bigint, {self.seed * 1000 + k}) & 9223372036854775807)"

    def execute(self, sql: str, params: list | None = None) -> int:
        with self.connection.cursor() as cursor:
            # No parameters, no placeholder parsing: the SQL may hold a literal "%".
            cursor.execute(sql, params or None)
            return cursor.rowcount

    def timed(self, name: str):
        loader = self

        class Step:
            def __enter__(self):
                self.started = time.perf_counter()

            def __exit__(self, *exc):
                loader.steps[name] = round(time.perf_counter() - self.started, 2)
                print(f"  {name}: {loader.steps[name]:.1f} s", file=sys.stderr, flush=True)

        return Step()

    def insert_select(self, model, columns: dict[str, str], source: str) -> int:
        """INSERT INTO the model's table the given column expressions over ``source``.

        Columns left out that the database requires get the model's default, so a field
        another change adds does not break the loader.
        """
        from django.db.models import NOT_PROVIDED

        table = model._meta.db_table
        existing = self.table_columns(table)
        # A column the code knows and the database does not yet have (its migration is
        # still to come) is left out rather than failing the run.
        names = [name for name in columns if name in existing]
        expressions = [columns[name] for name in names]
        params: list = []
        for field in model._meta.concrete_fields:
            if field.column in columns or field.primary_key or field.null:
                continue
            if field.column not in existing:
                continue
            if getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                expressions.append("now()")
            else:
                if field.has_default():
                    value = field.get_default()
                elif field.get_internal_type() in {
                    "CharField",
                    "TextField",
                    "SlugField",
                    "URLField",
                    "EmailField",
                    "FileField",
                    "ImageField",
                }:
                    value = ""
                elif field.get_internal_type() == "BooleanField":
                    value = False
                else:
                    raise RuntimeError(
                        f"{model.__name__}.{field.name} is NOT NULL without a default: "
                        "bench/load_data.py must set it"
                    )
                expressions.append("%s")
                params.append(field.get_db_prep_save(value, self.connection))
            names.append(field.column)
            self.filled_by_default.setdefault(table, []).append(field.column)
        quoted = ", ".join(f'"{name}"' for name in names)
        sql = f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(expressions)} FROM {source}'  # noqa: S608  our own column names and expressions
        return self.execute(sql, params)

    def table_columns(self, table: str) -> set[str]:
        with self.connection.cursor() as cursor:
            return {
                column.name
                for column in self.connection.introspection.get_table_description(cursor, table)
            }

    def reset_sequence(self, model) -> None:
        table = model._meta.db_table
        self.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608  our table name
            f'COALESCE((SELECT max(id) FROM "{table}"), 1))'
        )

    def drop_secondary_indexes(self, models) -> None:
        """Drop every index that is not a constraint's; ``rebuild_indexes`` makes them again."""
        with self.connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                cursor.execute(
                    """
                    SELECT i.indexname, i.indexdef FROM pg_indexes i
                    WHERE i.schemaname = current_schema() AND i.tablename = %s
                      AND NOT EXISTS (
                        SELECT 1 FROM pg_constraint c
                        WHERE c.conrelid = %s::regclass AND c.conname = i.indexname)
                    """,
                    [table, table],
                )
                for name, definition in cursor.fetchall():
                    self.dropped_indexes.append((name, definition))
                    cursor.execute(f'DROP INDEX "{name}"')

    def rebuild_indexes(self) -> None:
        with self.connection.cursor() as cursor:
            for _name, definition in self.dropped_indexes:
                cursor.execute(definition)

    # --- the data -------------------------------------------------------------------------
