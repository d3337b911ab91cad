"""dlt's PostgreSQL destination, with two changes the raw layer needs.

1. **Empty strings stay empty strings.** dlt's CSV ``COPY`` job adds ``FORCE_NULL(<every
   nullable column>)``, which turns a quoted empty field (``""``, an empty string) into NULL as
   well. CD2 distinguishes the two (TSV ``\\N`` versus an empty field), and so does the official
   loader, so our ``COPY`` omits ``FORCE_NULL``: an unquoted empty field is NULL and ``""`` is an
   empty string.
   pyarrow's CSV writer, which dlt uses for Arrow data, writes exactly that. The ``COPY`` runs
   with the session time zone set to UTC, so timestamps written as UTC wall time without an offset
   (:func:`loader.arrow_io.timestamps_as_text`) load as the same instants on any server.
2. **Strings are ``text``**, not ``varchar``, and decimals without a declared precision are
   unconstrained ``numeric`` rather than dlt's default ``numeric(38,9)``: the documented raw column
   types, and the ones the generated dbt sources declare.

3. **Raw tables get their ``_dap_job_seq`` index when they are created**, before the first
   ``COPY`` (:func:`job_seq_index_sql`): a BRIN index, which rows appended later cost almost
   nothing to keep up, where building it after the load means reading the whole table.

Everything else (COPY loading of CSV files, schema evolution, state and load-package handling) is
dlt's own code. The destination keeps the name ``postgres``, so its settings still come from
``DESTINATION__POSTGRES__…`` / ``[destination.postgres]``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from dlt.common.destination import DestinationCapabilitiesContext
from dlt.common.destination.client import LoadJob
from dlt.common.destination.configuration import CsvFormatConfiguration
from dlt.common.destination.typing import PreparedTableSchema
from dlt.common.schema.typing import TColumnSchema
from dlt.common.storages.file_storage import FileStorage
from dlt.destinations.impl.postgres.factory import PostgresTypeMapper, postgres
from dlt.destinations.impl.postgres.postgres import PostgresClient, PostgresCsvCopyJob

logger = logging.getLogger(__name__)

# the DEBUG line each of our COPY jobs logs: a test asserts a real load went through this class,
# so a dlt release that stops creating PostgresCsvCopyJob (and with it ours) fails CI
COPY_JOB_MARKER = "exact-null COPY into"


class _TextTypeMapper(PostgresTypeMapper):
    sct_to_unbound_dbt = {**PostgresTypeMapper.sct_to_unbound_dbt, "text": "text"}
    dbt_to_sct = {**PostgresTypeMapper.dbt_to_sct, "text": "text"}

    def to_db_decimal_type(self, column: TColumnSchema) -> str:
        if column.get("precision") is None:
            return "numeric"  # unconstrained: exact, whatever precision a schema bump brings
        return super().to_db_decimal_type(column)


class _ExactNullCsvCopyJob(PostgresCsvCopyJob):
    """``COPY … FROM STDIN (FORMAT CSV, NULL '')`` without ``FORCE_NULL``, in UTC."""

    def run(self) -> None:
        self._config = self._job_client.config
        sql_client = self._job_client.sql_client
        csv_format = self._config.csv_format or CsvFormatConfiguration()
        if not csv_format.include_header:
            super().run()  # not how we configure dlt; keep dlt's behaviour
            return
        table_name = self.load_table_name
        sep = csv_format.delimiter
        with FileStorage.open_zipsafe_ro(self._file_path, "rb") as f:
            header = f.readline().decode(csv_format.encoding).strip().split(sep)
            columns = ",".join(
                sql_client.escape_column_name(h.strip('"'), quote=True) for h in header
            )
            copy_sql = copy_statement(
                sql_client.make_qualified_table_name(table_name), columns, sep, csv_format.encoding
            )
            with (
                sql_client.begin_transaction(),
                sql_client.native_connection.cursor() as cursor,
            ):
                cursor.execute(COPY_SESSION)
                cursor.copy_expert(copy_sql, f, size=1024 * 1024)
        logger.debug("%s %s", COPY_JOB_MARKER, table_name)


COPY_SESSION = "SET LOCAL TIME ZONE 'UTC'"


def copy_statement(table: str, columns: str, delimiter: str = ",", encoding: str = "utf-8") -> str:
    """The ``COPY`` our load job runs for one CSV file (run after :data:`COPY_SESSION`).

    Args:
        table: the qualified, quoted table name.
        columns: the quoted column list, comma-separated (the file's header).
        delimiter: the CSV delimiter.
        encoding: the file's encoding.

    Returns:
        ``COPY … FROM STDIN WITH (FORMAT CSV, …)``: an unquoted empty field is NULL, ``""`` an
        empty string (no ``FORCE_NULL``).
    """
    return (
        f"COPY {table} ({columns}) FROM STDIN"
        f" WITH (FORMAT CSV, DELIMITER '{delimiter}', NULL '', ENCODING '{encoding}')"
    )


JOB_SEQ_COLUMN = "_dap_job_seq"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def job_seq_index_name(table: str) -> str:
    """The name of a raw table's BRIN index on ``_dap_job_seq``.

    Args:
        table: the raw table.

    Returns:
        ``<table>__dap_job_seq_brin``, cut to PostgreSQL's 63 characters.
    """
    return f"{table}__dap_job_seq_brin"[:63]


def job_seq_index_sql(schema: str, table: str) -> str:
    """``CREATE INDEX IF NOT EXISTS`` for a raw table's BRIN index on ``_dap_job_seq``.

    Raw tables are append-only and the job sequence only grows, so a job's rows sit together at
    the end of the table and block-range summaries find them as well as a B-tree would.
    ``autosummarize`` lets autovacuum summarise new ranges; until then they are simply read.

    Args:
        schema: the raw schema.
        table: the raw table.

    Returns:
        The statement.
    """
    name = job_seq_index_name(table)
    return (
        f"create index if not exists {_quote(name)} on {_quote(schema)}.{_quote(table)}"
        f" using brin ({JOB_SEQ_COLUMN}) with (autosummarize = on)"
    )


class _Cd2PostgresClient(PostgresClient):
    def create_load_job(
        self, table: PreparedTableSchema, file_path: str, load_id: str, restore: bool = False
    ) -> LoadJob:
        job = super().create_load_job(table, file_path, load_id, restore)
        if type(job) is PostgresCsvCopyJob:
            return _ExactNullCsvCopyJob(file_path)
        return job

    def _get_table_update_sql(
        self, table_name: str, new_columns: Sequence[TColumnSchema], generate_alter: bool
    ) -> list[str]:
        statements = list(super()._get_table_update_sql(table_name, new_columns, generate_alter))
        if not generate_alter and any(c.get("name") == JOB_SEQ_COLUMN for c in new_columns):
            statements.append(job_seq_index_sql(self.sql_client.dataset_name, table_name))
        return statements


class cd2_postgres(postgres):  # noqa: N801 - dlt names destination factories in lower case
    """The PostgreSQL destination with exact NULL handling and ``text`` columns."""

    def _raw_capabilities(self) -> DestinationCapabilitiesContext:
        caps = super()._raw_capabilities()
        caps.type_mapper = _TextTypeMapper
        return caps

    @property
    def client_class(self) -> type[PostgresClient]:
        """The job client that creates our COPY jobs."""
        return _Cd2PostgresClient


def make_destination(credentials: Any = None) -> cd2_postgres:
    """The destination, named ``postgres`` so dlt's usual config sections apply.

    Args:
        credentials: a DSN string (a password is optional) or dlt credentials; None reads
            ``DESTINATION__POSTGRES__CREDENTIALS``.

    Returns:
        The destination factory.
    """
    if isinstance(credentials, str):
        from dlt.destinations.impl.postgres.configuration import PostgresCredentials

        parsed = PostgresCredentials()
        parsed.parse_native_representation(credentials)
        if parsed.password is None:
            # dlt insists on a password; libpq treats an empty one as "none given" and falls back
            # to PGPASSWORD, ~/.pgpass or trust/peer authentication
            parsed.password = ""  # type: ignore[assignment]
        credentials = parsed
    return cd2_postgres(credentials=credentials, destination_name="postgres")
