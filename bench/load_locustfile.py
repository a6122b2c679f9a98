"""The locust users of bench/load.py (run by it in a child process: locust monkey-patches the
standard library with gevent, which the Django side of the bench must not see).

Reads the plan that bench/load.py wrote (DANGBO_LOAD_PLAN): each user takes the next account,
signs in once, then requests addresses of that account's scope, one every ``think`` seconds,
the kinds drawn by their weights. Every request is recorded as [kind, milliseconds, ok,
error, start time] and the list written to DANGBO_LOAD_RECORDS when locust quits."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time

from locust import FastHttpUser, between, events, task

with open(os.environ["DANGBO_LOAD_PLAN"], encoding="utf-8") as plan_file:
    PLAN = json.load(plan_file)
ACCOUNTS = itertools.cycle(PLAN["accounts"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECORDS: list[list] = []


@events.request.add_listener
def record(request_type, name, response_time, response_length, exception=None, start_time=None, **_kwargs):
    error = str(exception) if exception else None
    RECORDS.append([name, round(response_time, 2), exception is None, error, start_time])


@events.quitting.add_listener
def write_records(environment, **_kwargs):
    with open(os.environ["DANGBO_LOAD_RECORDS"], "w", encoding="utf-8") as out:
        json.dump(RECORDS, out)


class SignedInUser(FastHttpUser):
    wait_time = between(*PLAN["think"])

    def on_start(self) -> None:
        self.account = next(ACCOUNTS)
        self.rng = random.Random()
        self.kinds = [kind for kind in PLAN["weights"] if self.account["urls"].get(kind)]
        self.weights = [PLAN["weights"][kind] for kind in self.kinds]
        with self.client.get("/dang-nhap/", name="sign_in_form", catch_response=True) as form:
            token = CSRF.search(form.text or "")
            if form.status_code != 200 or not token:
                form.failure(f"sign-in form: {form.status_code}")
                return
        # A busy server answers a sign-in 503 with Retry-After (bounded password hashing): the
        # user tries again after it, as a person would, three times at most; each answer counts.
        for attempt in range(3):
            with self.client.post(
                "/dang-nhap/",
                data={
                    "csrfmiddlewaretoken": token.group(1),
                    "username": self.account["username"],
                    "password": PLAN["password"],
                    "next": "/",
                },
                headers={"Referer": self.host + "/dang-nhap/"},
                name="sign_in",
                allow_redirects=False,
                catch_response=True,
            ) as answer:
                if answer.status_code == 302:
                    return
                answer.failure(f"sign-in: {answer.status_code}")
                if answer.status_code != 503 or attempt == 2:
                    return
                wait = answer.headers.get("Retry-After", "1")
            time.sleep(float(wait) if wait.isdigit() else 1.0)

    @task
    def browse(self) -> None:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        url = self.rng.choice(self.account["urls"][kind])
        with self.client.get(url, name=kind, catch_response=True, allow_redirects=False) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {url}")
