-- wrk script: POST an execute request asynchronously (used by server_load.py).
-- The body comes from the environment variable WRK_BODY (a JSON execute request).
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY") or '{"inputs": {}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Prefer"] = "respond-async"
