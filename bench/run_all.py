"""Every benchmark, one after the other; results in bench/results/. Loopback only.

python bench/run_all.py            # all
python bench/run_all.py gateway    # one
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def gateway_hop() -> int:
    """The gateway hop against the real facilities-api, reading one demo facility."""
    from bench.gateway.run import main

    folder = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    env = {**os.environ, "FACILITIES_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'facilities.db'}"}
    for step in ("migrate", "seed-demo"):
        subprocess.run([sys.executable, "-m", "facilities_api", step], env=env, check=True, capture_output=True)
    os.environ.update(env)
    return main(
        [
            "--path",
            "/api/v1/facilities/1",
            "--rounds",
            "3",
            "--upstream-cmd",
            "{python} -m facilities_api serve --host 127.0.0.1 --port {port}",
        ]
    )


def facilities() -> int:
    script = ROOT / "bench" / "facilities" / "run.py"
    if not script.exists():
        print("bench/facilities: not present")
        return 0
    return subprocess.call([sys.executable, str(script)])


def script(name: str):
    def run() -> int:
        path = ROOT / "bench" / name / "run.py"
        if not path.exists():
            print(f"bench/{name}: not present")
            return 0
        return subprocess.call([sys.executable, str(path)])

    return run


BENCHES = {
    "gateway": gateway_hop,
    "facilities": facilities,
    "operators": script("operators"),
    "feedback": script("feedback"),
    "bookings": script("bookings"),
}

if __name__ == "__main__":
    chosen = sys.argv[1:] or list(BENCHES)
    failures = [name for name in chosen if BENCHES[name]() != 0]
    sys.exit(1 if failures else 0)
