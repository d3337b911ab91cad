"""HTTP client for Instructure's DAP Query API (httpx only; nothing here knows about dlt)."""
