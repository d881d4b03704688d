"""Page times and a bounded load on loopback for the web app (issue 15).

    python -m bench.web [--seconds 60] [--coaches 20]

Starts `vanplan serve` on a fresh data folder with the demo week planned and published, then:
1. page times: the coordinator's week view and a day map, a coach's page (target: <= 1 s each);
2. load: `--coaches` concurrent coach sessions for `--seconds`, each fetching its overview and a stop
   page in a loop; every answer must be 200.
Prints a table with the server's peak memory (server and worker processes) next to the times.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.isolated import tree_rss

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "bayreuth-nord"
PASSWORD = "bench-password-long-enough"


class Session:
    """A logged-in browser without a browser: cookies and the CSRF token of the login form."""

    def __init__(self, base: str, user: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self.get("/login/")[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        data = urllib.parse.urlencode(
            {"username": user, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        request = urllib.request.Request(f"{base}/login/", data, headers={"Referer": f"{base}/login/"})
        self.opener.open(request, timeout=30).read()

    def get(self, path: str) -> tuple[int, str, float]:
        """Status, body and seconds of one GET."""
        t0 = time.perf_counter()
        with self.opener.open(f"{self.base}{path}", timeout=30) as r:
            body = r.read().decode("utf-8", "replace")
            return r.status, body, time.perf_counter() - t0


def prepare(data: Path) -> tuple[str, str, str]:
    """The demo week planned and published in `data`; (week url, day map url, a coach id)."""
    os.environ["VANPLAN_DATA"] = str(data)
    os.environ["VANPLAN_OSM_DIR"] = str(ROOT.parent / "shared" / "osm")
    os.environ["DJANGO_SETTINGS_MODULE"] = "web.settings"
    from web.serve import create_user, setup

    setup(data)
    from django.utils import timezone

    from web import weeks
    from web.jobs import run_next
    from web.models import Job, Week

    for name, role, coach in [("coord", "coordinator", "")] + [
        (f"coach{i}", "coach", f"C{i}") for i in range(1, 5)
    ]:
        assert create_user(data, name, role, PASSWORD, coach) == ""
    week = Week.objects.create(title="demo")
    for f in DEMO.iterdir():
        if f.suffix in (".csv", ".toml"):
            weeks.store_upload(week.folder, f.name, f.read_bytes())
    Job.objects.create(kind=Job.Kind.PLAN, week=week)
    job = run_next()
    assert job is not None and job.result is not None, job and job.message
    version = job.result
    version.published_at = timezone.now()
    version.save()
    day = version.summary["days"][0]
    return f"/weeks/{week.pk}/", f"/versions/{version.pk}/day/{day}/", "coach1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--coaches", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=10, help="requests per page for the page times")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="vanplan-bench-web-"))
    week_url, map_url, coach = prepare(data)
    port = 8765
    vanplan = str(Path(sys.executable).with_name("vanplan"))
    command = [vanplan, "serve", "--data", str(data), "--port", str(port)]
    server = subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    peak = 0
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        coord, me = Session(base, "coord"), Session(base, coach)
        rows = []
        for label, session, path in [
            ("week view", coord, week_url),
            ("day map", coord, map_url),
            ("coach page", me, "/coach/"),
        ]:
            times = []
            for _ in range(args.repeat):
                status, _body, seconds = session.get(path)
                assert status == 200, (path, status)
                times.append(seconds)
                peak = max(peak, tree_rss(server.pid))
            rows.append((label, statistics.median(times), max(times)))

        errors: list[str] = []
        latencies: list[float] = []
        stop = time.monotonic() + args.seconds

        def coach_loop(i: int) -> None:
            s = Session(base, f"coach{i % 4 + 1}")
            while time.monotonic() < stop:
                try:
                    status, body, seconds = s.get("/coach/")
                    latencies.append(seconds)
                    stops = re.findall(r'href="(/coach/\d+/stops/[^"]+/)"', body)
                    if stops:
                        status2, _b, seconds2 = s.get(stops[0])
                        latencies.append(seconds2)
                        status = max(status, status2)
                    if status != 200:
                        errors.append(str(status))
                except OSError as exc:
                    errors.append(repr(exc))

        threads = [threading.Thread(target=coach_loop, args=(i,)) for i in range(args.coaches)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            peak = max(peak, tree_rss(server.pid))
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)

    print(f"{'page':<12} {'median s':>9} {'max s':>7}")
    for label, median, worst in rows:
        print(f"{label:<12} {median:>9.3f} {worst:>7.3f}")
    q = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else [0.0] * 19
    rate = len(latencies) / args.seconds
    print(f"\nload: {args.coaches} coaches x {args.seconds:.0f} s: {len(latencies)} requests ({rate:.1f}/s), "
          f"p50 {statistics.median(latencies):.3f} s, p95 {q[18]:.3f} s, errors {len(errors)}")  # fmt: skip
    print(f"server peak memory (server + worker): {peak / 2**20:.0f} MB")
    if errors:
        print("errors:", sorted(set(errors))[:5])
        raise SystemExit(1)


if __name__ == "__main__":
    main()
