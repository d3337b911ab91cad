"""Settings resolution, table selection, the retry loop and the loader columns."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyarrow as pa
import pytest

from loader.config import ConfigError, LoadSettings, as_list, resolve_credentials
from loader.dap.client import ClientSettings, DapClient
from loader.dap.errors import (
    ObjectExpiredError,
    RateLimitedError,
    RetriesExhausted,
    ServerError,
    TruncatedDownloadError,
    ValidationError,
)
from loader.dap.policy import RetryPolicy
from loader.extract import JOB_SEQ_FACTOR, OBJECT_FACTOR, with_loader_columns


def test_as_list() -> None:
    assert as_list(None) == ()
    assert as_list("a, b,,c") == ("a", "b", "c")
    assert as_list('["a","b"]') == ("a", "b")
    assert as_list(["a,b", "c"]) == ("a", "b", "c")


def test_table_selection() -> None:
    everything = LoadSettings()
    assert everything.tables_for("canvas", ["users", "courses"]) == ["users", "courses"]
    s = LoadSettings(tables=("users", "canvas_logs.web_logs", "nope"), exclude=("canvas.courses",))
    assert s.tables_for("canvas", ["users", "courses"]) == ["users"]
    assert s.tables_for("canvas_logs", ["web_logs"]) == ["web_logs"]
    assert s.unmatched_tables({"canvas": ["users"], "canvas_logs": ["web_logs"]}) == ["nope"]
    # a qualified name is kept even when unlisted, so a typo fails loudly for that table
    assert LoadSettings(tables=("canvas.usres",)).tables_for("canvas", ["users"]) == ["usres"]
    ex = LoadSettings(exclude=("web_logs",))
    assert ex.tables_for("canvas_logs", ["web_logs", "Action"]) == ["Action"]


def test_settings_validation() -> None:
    with pytest.raises(ConfigError, match="namespace"):
        LoadSettings(namespaces=("canvas", "bogus")).validate()
    with pytest.raises(ConfigError, match="format"):
        LoadSettings(format="xml").validate()
    LoadSettings().validate()


def test_lock_wait_from_the_flag_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from loader.config import load_settings

    monkeypatch.delenv("SOURCES__DAP__LOCK_WAIT_SECONDS", raising=False)
    assert load_settings().lock_wait_seconds == 0  # .dlt/config.toml: exit at once
    monkeypatch.setenv("SOURCES__DAP__LOCK_WAIT_SECONDS", "90")
    assert load_settings().lock_wait_seconds == 90
    assert load_settings(lock_wait_seconds=5).lock_wait_seconds == 5  # the flag wins
    with pytest.raises(ConfigError, match="lock_wait_seconds"):
        load_settings(lock_wait_seconds=-1)


def test_credentials_fall_back_to_the_dap_cli_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SOURCES__DAP__CLIENT_ID",
        "SOURCES__DAP__CLIENT_SECRET",
        "SOURCES__DAP__BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DAP_API_URL", "http://127.0.0.1:9/prefix/")
    monkeypatch.setenv("DAP_CLIENT_ID", "us-east-1#abc")
    monkeypatch.setenv("DAP_CLIENT_SECRET", "s3cr3t-value")
    creds = resolve_credentials()
    assert creds.base_url == "http://127.0.0.1:9/prefix"
    assert creds.client_id == "us-east-1#abc"
    assert "s3cr3t" not in repr(creds)
    monkeypatch.setenv("SOURCES__DAP__CLIENT_SECRET", "from-dlt")
    assert resolve_credentials().client_secret == "from-dlt"  # dlt config wins


def test_missing_credentials_name_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SOURCES__DAP__CLIENT_ID",
        "SOURCES__DAP__CLIENT_SECRET",
        "DAP_CLIENT_ID",
        "DAP_CLIENT_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="DAP_CLIENT_ID"):
        resolve_credentials()


def make_client(**policy: float) -> tuple[DapClient, list[float]]:
    slept: list[float] = []
    client = DapClient(
        "id-for-tests",
        "secret-for-tests",
        ClientSettings(base_url="http://127.0.0.1:9", retry=RetryPolicy(**policy)),  # type: ignore[arg-type]
        sleep=slept.append,
    )
    return client, slept


def test_retry_loop_recovers_from_transient_errors() -> None:
    client, slept = make_client(max_attempts=6)
    errors = [
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("reset mid-body"),
        ServerError("boom", 503),
        TruncatedDownloadError("short"),
        RateLimitedError("slow down", 429, retry_after=4),
    ]

    def attempt() -> str:
        if errors:
            raise errors.pop(0)
        return "done"

    assert client.with_retries("thing", attempt) == "done"
    assert len(slept) == 5
    assert slept[-1] >= 4  # Retry-After honoured
    assert slept[0] < slept[2]  # backoff grows
    client.close()


def test_retry_loop_gives_up_with_a_clear_error() -> None:
    client, slept = make_client(max_attempts=3)

    def attempt() -> None:
        raise ServerError("still broken", 502)

    with pytest.raises(RetriesExhausted) as info:
        client.with_retries("status of job 7", attempt)
    assert info.value.attempts == 3 and len(slept) == 2
    assert "status of job 7 failed after 3 attempts" in str(info.value)
    assert "still broken" in str(info.value)
    client.close()


def test_retry_loop_does_not_retry_client_errors() -> None:
    client, slept = make_client()

    def attempt() -> None:
        raise ValidationError("bad since", 400)

    with pytest.raises(ValidationError):
        client.with_retries("x", attempt)
    assert slept == []
    client.close()


def test_on_retry_hook_sees_expired_urls() -> None:
    client, _ = make_client()
    seen: list[str] = []
    calls = iter([ObjectExpiredError("403"), None])

    def attempt() -> int:
        exc = next(calls)
        if exc:
            raise exc
        return 1

    assert (
        client.with_retries("download", attempt, on_retry=lambda e: seen.append(type(e).__name__))
        == 1
    )
    assert seen == ["ObjectExpiredError"]
    client.close()


def test_loader_columns_and_change_order() -> None:
    batch = pa.RecordBatch.from_pydict({"id": [1, 2, 3], "meta_action": ["U", "U", "D"]})
    loaded_at = datetime(2024, 1, 1, tzinfo=UTC)
    out = with_loader_columns(batch, "incremental", "job-1", 7, 2, 100, loaded_at)
    assert out.schema.names[-5:] == [
        "_dap_load_kind",
        "_dap_job_id",
        "_dap_job_seq",
        "_dap_change_order",
        "_dap_loaded_at",
    ]
    base = 7 * JOB_SEQ_FACTOR + 2 * OBJECT_FACTOR + 100
    assert out.column("_dap_change_order").to_pylist() == [base, base + 1, base + 2]
    assert out.column("_dap_job_seq").to_pylist() == [7, 7, 7]
    assert set(out.column("_dap_load_kind").to_pylist()) == {"incremental"}
    assert out.column("_dap_loaded_at").type == pa.timestamp("us", tz="UTC")
    # later jobs always sort after earlier ones, whatever the object and row
    last_of_job_6 = with_loader_columns(
        batch, "snapshot", "j", 6, 999, OBJECT_FACTOR - 3, loaded_at
    )
    assert max(last_of_job_6.column("_dap_change_order").to_pylist()) < base - 2 * OBJECT_FACTOR


def test_change_order_overflow_is_refused() -> None:
    batch = pa.RecordBatch.from_pydict({"id": [1]})
    with pytest.raises(ValueError, match="overflow"):
        with_loader_columns(batch, "snapshot", "j", 1, 1000, 0, datetime.now(UTC))


def test_embedded_shared_buffers_is_an_eighth_of_memory_within_bounds() -> None:
    from loader.warehouse import shared_buffers_mb

    gib = 2**30
    assert shared_buffers_mb(4 * gib) == 512
    assert shared_buffers_mb(24 * gib) == 1024  # capped
    assert shared_buffers_mb(512 * 2**20) == 128  # floor
    assert shared_buffers_mb(0) == 128


def _config_in(project: Path, env: dict[str, str], expression: str) -> str:
    """``expression`` over ``loader.config`` (as ``config``), evaluated in a fresh interpreter
    whose working directory is ``project`` (dlt reads ``.dlt/`` there) and environment ``env``
    (no DAP, dlt source or destination variables of the caller's)."""
    import subprocess
    import sys

    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DAP_", "SOURCES__", "DESTINATION__", "CD2_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", f"from loader import config\nprint({expression})"],
        cwd=project,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_precedence_flags_then_environment_then_the_toml_files(tmp_path: Path) -> None:
    """The README's order through dlt's configuration: flag > SOURCES__DAP__* > DAP_* >
    .dlt/secrets.toml > .dlt/config.toml (dlt reads secrets.toml first) > default."""
    dlt_dir = tmp_path / ".dlt"
    dlt_dir.mkdir()
    (dlt_dir / "config.toml").write_text(
        "[sources.dap]\nconcurrency = 3\nlock_wait_seconds = 11\nrows_per_file = 7\n"
        'base_url = "http://from-config-toml"\n'
    )
    (dlt_dir / "secrets.toml").write_text(
        '[sources.dap]\nclient_id = "id-secrets"\nclient_secret = "s-secrets"\nrows_per_file = 9\n'
    )
    settings = "config.load_settings()"
    creds = "config.resolve_credentials()"
    both = f"({settings}.concurrency, {settings}.lock_wait_seconds, {settings}.rows_per_file, "
    both += f"{creds}.client_id, {creds}.base_url)"
    assert _config_in(tmp_path, {}, both) == "(3, 11.0, 9, 'id-secrets', 'http://from-config-toml')"
    env = {
        "SOURCES__DAP__CONCURRENCY": "5",
        "DAP_CLIENT_ID": "id-dap-variable",
        "DAP_API_URL": "http://dap-variable",
    }
    assert _config_in(tmp_path, env, both) == (
        "(5, 11.0, 9, 'id-dap-variable', 'http://dap-variable')"
    )
    env["SOURCES__DAP__CLIENT_ID"] = "id-dlt-variable"
    flagged = f"(config.load_settings(concurrency=2).concurrency, {creds}.client_id)"
    assert _config_in(tmp_path, env, flagged) == "(2, 'id-dlt-variable')"
    (dlt_dir / "config.toml").write_text("")
    assert _config_in(tmp_path, {}, f"({settings}.concurrency, {settings}.lock_wait_seconds)") == (
        "(4, 0.0)"
    )
    bad = "repr(__import__('pytest').raises(config.ConfigError, config.load_settings).value)"
    out = _config_in(tmp_path, {"SOURCES__DAP__CONCURRENCY": "many"}, bad)
    assert "sources.dap.concurrency" in out and "many" not in out
