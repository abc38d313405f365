"""Page objects for the SPA's end-to-end tests: what a person does on each page, by its labels
and test ids, so the scenarios read as the tasks they are."""

from __future__ import annotations

from typing import Any

import httpx


class Api:
    """Direct API calls a scenario needs to set the scene or find its data (never to do what the
    person under test does in the browser)."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.client = httpx.Client(
            base_url=f"{base}/api/v1", timeout=10, headers={"Authorization": f"Bearer {token}"} if token else {}
        )

    def get(self, path: str, **params: Any) -> Any:
        resp = self.client.get(path, params=params)
        resp.raise_for_status()
        return resp.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        resp = self.client.post(path, json=body)
        assert resp.status_code < 300, resp.text
        return resp.json()

    def bookable_activity(self) -> dict[str, Any]:
        """A published activity that starts later, needs booking and has seats left."""
        from datetime import UTC, datetime, timedelta

        start = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
        page = self.get("/activities", **{"from": start, "has_seats": "true", "status": "published", "limit": 100})
        for a in page["items"]:
            if a["booking_required"] and a["seats_left"] >= 2 and a["fee_fen"] == 0:
                return a
        raise AssertionError("the demo data has no bookable activity")

    def first_case(self) -> int:
        """A case an official of the whole district may open (the demo data has cases in every state)."""
        resp = self.client.post("/auth/token", data={"username": "demo-official", "password": "demo-password"})
        resp.raise_for_status()
        token = resp.json()["access_token"]
        items = self.client.get("/cases", params={"limit": 5}, headers={"Authorization": f"Bearer {token}"}).json()[
            "items"
        ]
        return items[0]["id"]


class SignInPage:
    def __init__(self, s) -> None:
        self.s = s

    def sign_in(self, username: str, password: str = "demo-password") -> None:
        page = self.s.goto("/signin", wait_for="#si-user")
        page.fill("#si-user", username)
        page.fill("#si-pass", password)
        page.click("[data-test=signin-submit]")
        page.wait_for_selector("[data-test=sign-out]", state="attached")


class ActivityPage:
    def __init__(self, s, activity_id: int) -> None:
        self.s = s
        self.page = s.goto(f"/activities/{activity_id}", wait_for="#act-title")

    def book(self, seats: int) -> str:
        self.page.wait_for_selector("[data-test=book]")
        self.page.select_option("[data-test=seats]", str(seats))
        self.page.click("[data-test=book]")
        self.page.wait_for_selector("[data-test=booking-message]")
        return self.page.inner_text("[data-test=booking-status]")

    def check_in_code(self) -> str:
        return self.page.inner_text("[data-test=check-in-code]").strip()


class CheckInDesk:
    def __init__(self, s, activity_id: int) -> None:
        self.s = s
        self.page = s.goto(f"/operator/activities/{activity_id}", wait_for="[data-test=check-in-code-input]")

    def check_in(self, code: str) -> str:
        self.page.fill("[data-test=check-in-code-input]", code.lower())  # typed as it comes: the desk upper-cases
        self.page.click("[data-test=check-in]")
        self.page.wait_for_selector("[data-test=checked-in], .notice-error")
        return self.page.inner_text("[data-test=checked-in]")


class RatePage:
    def __init__(self, s, target_id: int, *, kind: str = "facility", navigate: bool = True) -> None:
        self.s = s
        self.page = s.goto(f"/rate/{kind}/{target_id}", wait_for="[data-test=submit-rating]") if navigate else s.page

    def rate(self, overall: int, comment: str) -> str:
        # The star inputs are visually hidden radios: choose through their labels, as a person does.
        self.page.locator("fieldset.stars").first.locator("label.star").nth(overall - 1).click()
        self.page.fill("[data-test=comment]", comment)
        self.page.click("[data-test=submit-rating]")
        self.page.wait_for_selector("[data-test=rating-saved], .notice-error")
        return self.page.inner_text("main")


class Dashboard:
    def __init__(self, s) -> None:
        self.s = s
        self.page = s.goto("/dashboard", wait_for="[data-test=tiles]")

    def first_view_ms(self) -> int:
        self.page.wait_for_selector("[data-first-view-ms]")
        return int(self.page.get_attribute("[data-first-view-ms]", "data-first-view-ms"))

    def tile(self, name: str) -> int:
        return int(self.page.inner_text(f"[data-test=tile-{name}]").replace(",", "").strip())

    def open_tab(self, name: str) -> None:
        self.page.click(f"[data-test=tab-{name}]")
