"""Where a web completion's time goes (P3's POST), under cProfile, in one process.

    python bench/profile_post.py [--postgres URL] [--posts 40] [--top 40]

The app gunicorn serves in P3 (`bench/webapp.py`) on a fresh database (PostgreSQL when a URL is given,
else an SQLite file), the same 50-step sequence, one signed-in user completing tasks through Flask's
test client (no HTTP server: what is left is the app's own work). Prints the time per POST and the
functions by cumulative time; docs/performance.md quotes its shares.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import Databases, read_bundle, sequence_bpmn  # noqa: E402
from bench.webapp import PASSWORD, build_engine, directory  # noqa: E402
from engine import Database  # noqa: E402

TASK_URL = re.compile(r"/tasks/([0-9a-f-]{36})")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL URL (a database is created and dropped)")
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    databases = Databases(args.postgres)
    try:
        url = databases.url("profile")
        diagram = Path(tempfile.mkdtemp(prefix="allianssi-profile-")) / "sequence.bpmn"
        diagram.write_text(sequence_bpmn(max(50, args.posts + 5)), encoding="utf-8")
        people = directory(1)
        database = Database(url)
        database.migrate()
        engine = build_engine(database, people)
        engine.deploy(read_bundle([diagram]), "bench")
        task = engine.start("bench_sequence", "user0", {"owner": "org0"}).open_tasks[0].id
        database.dispose()
        os.environ.update(BENCH_DATABASE_URL=url, BENCH_USERS="1")
        from bench.webapp import app
        client = app().test_client()
        token = _csrf(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"username": "user0", "password": PASSWORD, "csrf_token": token, "next": "/"})
        token = _csrf(client.get(f"/tasks/{task}").get_data(as_text=True))

        def post(n: int, task: str) -> str:
            answer = client.post(f"/tasks/{task}", data={"note": f"note {n}", "csrf_token": token})
            found = TASK_URL.search(answer.headers.get("Location", ""))
            if answer.status_code != 302 or not found:
                raise SystemExit(f"POST {n} answered {answer.status_code}")
            return found.group(1)

        for n in range(3):  # warm up: the definition compiled and cached, the connection pool filled
            task = post(n, task)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for n in range(3, 3 + args.posts):
            task = post(n, task)
        profile.disable()
        each = (time.perf_counter() - started) / args.posts * 1000
        backend = "PostgreSQL" if args.postgres else "SQLite"
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"{args.posts} POSTs on {backend}: {each:.1f} ms each under cProfile; load {load}")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
    finally:
        databases.drop_all()


def _csrf(page: str) -> str:
    found = CSRF.search(page)
    if not found:
        raise SystemExit("no CSRF token on the page")
    return found.group(1)


if __name__ == "__main__":
    main()
