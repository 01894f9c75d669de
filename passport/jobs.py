"""Scheduled jobs: what `passport jobs run` (from cron, every few minutes) does.

A capability adds its job in its `init_app` with `jobs.add(app, name, run)`. `run(now)` does
whatever is due at `now` (the app's clock) and returns one line for the operator. Every job
must be idempotent: running twice at once or one after the other does nothing twice (the
outbox claims each message with a row lock and marks it sent; a job that writes to people
records that it has, in the same transaction, before the next run can see it).
Each job commits its own work; one that fails is rolled back and reported, and the others
still run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

from passport import clock
from passport.database import db


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], str]


@dataclass(frozen=True)
class Ran:
    name: str
    said: str
    ok: bool


def add(app: Flask, name: str, run: Callable[[datetime], str]) -> None:
    """Register a job under a unique name; jobs run in the order they were added."""
    registered: dict[str, Job] = app.extensions.setdefault("jobs", {})
    if name in registered:
        raise ValueError(f"A job named {name!r} is already registered.")
    registered[name] = Job(name, run)


def registered() -> list[Job]:
    return list(current_app.extensions.get("jobs", {}).values())


def run_due(only: str | None = None) -> list[Ran]:
    """Run every job (or the one named) for what is due now."""
    ran = []
    for job in registered():
        if only is not None and job.name != only:
            continue
        try:
            said = job.run(clock.now())
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            current_app.logger.exception("Job %s failed", job.name)
            ran.append(Ran(job.name, f"failed: {type(error).__name__}", ok=False))
        else:
            ran.append(Ran(job.name, said, ok=True))
    return ran
