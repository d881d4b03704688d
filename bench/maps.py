"""Rendering targets of the built-in week: time to render, HTML sizes, load time in headless Chromium.

Run: `python -m bench.maps [--time-limit 10]`. Plans the demo week, renders every page, then opens
each day map from file:// in Debian's Chromium (selenium + chromedriver) and times until its stop
markers are on screen. Targets (issue 3): a day map renders offline in <= 2 s; the week's HTML <= 5 MB.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from maps import render_all
from maps.sheets import CHROMIUM_FLAGS
from planner.pipeline import default_cache_dir, plan_scenario

ROOT = Path(__file__).resolve().parents[1]


def load_seconds(pages: list[Path], profile: Path) -> list[float]:
    """Seconds from navigation until the first stop marker exists, per page (empty without Chromium)."""
    chromium, driver_exe = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver_exe is None:
        return []
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,860"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_exe), options=options)
    times = []
    try:
        for page in pages:
            start = time.perf_counter()
            driver.get(page.as_uri())
            while not driver.execute_script("return document.querySelector('.vp-stop') !== null;"):
                time.sleep(0.01)
            times.append(time.perf_counter() - start)
    finally:
        driver.quit()
    return times


def main() -> None:
    """Plan, render and print the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "bayreuth-nord")
    ap.add_argument("--time-limit", type=float, default=10.0)
    args = ap.parse_args()
    run = plan_scenario(args.scenario, time_limit_s=args.time_limit, cache_dir=default_cache_dir())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        t0 = time.perf_counter()
        files = render_all(run.plan, run.scenario, run.network, out)
        render_s = time.perf_counter() - t0
        html = [f for f in files if f.suffix == ".html"]
        groups = {
            "coordinator (day maps + week)": [f for f in html if f.parent.name == "maps"],
            "coach pages": [f for f in html if "coaches" in f.parts],
            "day sheets": [f for f in html if f.parent.name == "sheets"],
        }
        print(f"{'group':<32} {'files':>5} {'MB':>7} {'max KB':>7}")
        for name, group in groups.items():
            sizes = [f.stat().st_size for f in group]
            print(f"{name:<32} {len(group):>5} {sum(sizes) / 1e6:>7.2f} {max(sizes, default=0) / 1e3:>7.0f}")
        print(f"{'all HTML':<32} {len(html):>5} {sum(f.stat().st_size for f in html) / 1e6:>7.2f}")
        print(f"render_all: {render_s:.2f} s for {len(files)} files")
        day_maps = sorted(f for f in groups["coordinator (day maps + week)"] if f.stem.startswith("tag-"))
        loads = load_seconds(day_maps, Path(tmp) / "profile")
        if loads:
            print(f"day map load in Chromium: max {max(loads):.2f} s, mean {sum(loads) / len(loads):.2f} s "
                  f"over {len(loads)} maps")  # fmt: skip
        else:
            print("day map load in Chromium: not measured (chromium/chromedriver missing)")


if __name__ == "__main__":
    main()
