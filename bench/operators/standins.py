"""Stand-ins for facilities-api and feedback-api in the operators bench: real processes on loopback
that answer the contract shapes operators-api relies on after a fixed per-call latency, and count
how many calls were in flight at once (GET /bench/stats).

    python bench/operators/standins.py --kind facilities --port 8101 --latency-ms 20
"""

from __future__ import annotations

import argparse
import asyncio

from fastapi import FastAPI, Query


def make_app(kind: str, latency_ms: float) -> FastAPI:
    app = FastAPI()
    state = {"calls": 0, "in_flight": 0, "max_in_flight": 0}

    async def hold() -> None:
        state["calls"] += 1
        state["in_flight"] += 1
        state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
        try:
            await asyncio.sleep(latency_ms / 1000)
        finally:
            state["in_flight"] -= 1

    @app.get("/bench/stats")
    async def stats() -> dict[str, int]:
        return dict(state)

    @app.post("/bench/reset")
    async def reset() -> dict[str, int]:
        state.update(calls=0, in_flight=0, max_in_flight=0)
        return dict(state)

    if kind == "facilities":

        @app.get("/api/v1/stats/operations")
        async def operations(facility_id: int, start: str = Query(alias="from"), end: str = Query(alias="to")) -> dict:
            await hold()
            return {
                "facility_id": facility_id,
                "from": start,
                "to": end,
                "activities_held": 27 + facility_id % 7,
                "participants": 800 + facility_id % 300,
                "bookings": 900,
                "no_shows": 40,
                "scheduled_open_hours": 540,
                "special_group_services_done": 45 + facility_id % 20,
            }

    else:

        @app.get("/api/v1/satisfaction/facilities/{facility_id}")
        async def satisfaction(
            facility_id: int, start: str = Query(alias="from"), end: str = Query(alias="to")
        ) -> dict:
            await hold()
            return {
                "from": start,
                "to": end,
                "ratings": {
                    "count": 80 + facility_id % 50,
                    "mean": "4.31",
                    "smoothed_mean": "4.25",
                    "share_satisfied": "0.86",
                    "wilson_low": "0.78",
                    "wilson_high": "0.91",
                    "insufficient_data": False,
                },
                "cases": {
                    "complaints": 6,
                    "responded_on_time": 5,
                    "on_time_rate": "0.83",
                    "answer_satisfaction_mean": "4.10",
                },
            }

    return app


if __name__ == "__main__":
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["facilities", "feedback"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    uvicorn.run(
        make_app(args.kind, args.latency_ms),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )
