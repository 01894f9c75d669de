"""The organisation's inbox at size: p50 and p95 of its first page through the real app (the
Flask test client, as a browser asks: signed in for work, the page rendered in full), for an
organisation with 500 and then 5,000 referrals, on SQLite and on PostgreSQL in the same run.

Each engine gets its own database (a temporary SQLite file; a temporary PostgreSQL database,
dropped at the end), migrated with `passport db upgrade` and given the demo directory with
`passport demo load`. The referrals are made by the service functions a resident's pages
call (`referrals.save_draft` and `referrals.send`, which write the grant, its receipt, the
link, the e-mail to the organisation, the tallies and the inbox entry, as a real send does),
from 250 passports with a need each, to the organisation's two services in turn; one in
three is then opened and one in six accepted through `mark_opened` and `accept`, so the
status filters have something to tell apart. Those are the first 500; the 4,500 more are
written straight into `inbox_entries` as `inbox._add` writes them (sealed and hashed under
the organisation's key, numbered on), since the inbox's page reads only that table (and the
services' names) and a send through every table costs a fifth of a second on a loaded
machine. A member of staff of the organisation signs in with an e-mailed sign-in link. Then
three pages are asked for, each REPEAT times after a warm-up: the inbox newest first;
filtered to new referrals ("sent"); filtered to one service. Besides the wall-clock times
(what the target is about), "cpu" is this process's CPU time per page (the app, the
template, SQLite's work; not PostgreSQL's server), which a busy machine does not inflate.

    .venv/bin/python bench/inbox.py                 # 500 and 5,000 referrals, both engines
    .venv/bin/python bench/inbox.py --engine sqlite

It ends with one line in exactly this form, so that runs can be compared:
inbox p95 at 5,000 referrals: sqlite X ms, postgresql Y ms
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from common import ROOT, database, environment, parse_page, percentile, server

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ORG = "eastbridge-advice-centre"
SIZES = (500, 5_000)
PASSPORTS = 250
REPEAT = 40
BATCH = 250  # referrals per transaction while building


class Builder:
    """Referrals to the organisation, made by the service functions, in batches."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        from passport.database import db
        from passport.directory.models import Organisation, Service
        from passport.needs import service as needs

        self.app = app
        self.made = 0
        with app.app_context():
            organisation = db.session.scalar(
                sa.select(Organisation).where(Organisation.slug == ORG)
            )
            assert organisation is not None
            self.organisation_id = organisation.id
            self.service_ids = list(
                db.session.scalars(
                    sa.select(Service.id)
                    .where(Service.organisation_id == organisation.id)
                    .order_by(Service.slug)
                )
            )
            self.passport_ids = []
            for number in range(PASSPORTS):
                passport = needs.create_passport(None)
                db.session.flush()
                needs.add_need(passport, "money", f"Resident {number}: arrears on the rent.")
                self.passport_ids.append(passport.id)
            db.session.commit()

    def bulk(self, count: int) -> None:
        """More entries straight into the inbox, as `inbox._add` writes them (the number, the
        day, the referral and service sealed under the organisation's key, the keyed hashes),
        for referrals that are not otherwise written: the inbox's page reads only its own
        table, so the other tables' sizes do not change what is measured."""
        from passport import clock, vault
        from passport.database import db
        from passport.inbox.models import InboxEntry
        from passport.referrals.lifecycle import Status
        from passport.staff import service as staff

        statuses = (Status.SENT, Status.OPENED, Status.SENT, Status.ACCEPTED, Status.SENT)
        with self.app.app_context():
            key = staff.organisation_key(self.organisation_id)
            last = db.session.scalar(
                sa.select(sa.func.max(InboxEntry.seq)).where(
                    InboxEntry.organisation_id == self.organisation_id
                )
            )
            for number in range((last or 0) + 1, (last or 0) + 1 + count):
                referral_id = str(uuid.uuid4())
                service_id = str(self.service_ids[number % len(self.service_ids)])
                entry = InboxEntry(
                    key=key,
                    organisation_id=self.organisation_id,
                    seq=number,
                    day=clock.now().date(),
                )
                entry.referral_sealed = vault.seal(entry, "referral", referral_id)
                entry.service_sealed = vault.seal(entry, "service", service_id)
                entry.referral_index = vault.keyed_index(key, "referral", referral_id)
                entry.status_index = vault.keyed_index(
                    key, "status", statuses[number % len(statuses)].value
                )
                entry.service_index = vault.keyed_index(key, "service", service_id)
                db.session.add(entry)
                if number % 1000 == 0:
                    db.session.commit()
            db.session.commit()
        self.made += count

    def make(self, count: int) -> None:
        from passport.database import db
        from passport.directory.models import Service
        from passport.needs.models import Passport
        from passport.referrals import service as referrals

        with self.app.app_context():
            for start in range(0, count, BATCH):
                services = [db.session.get_one(Service, id_) for id_ in self.service_ids]
                for number in range(self.made, self.made + min(BATCH, count - start)):
                    passport = db.session.get_one(
                        Passport, self.passport_ids[number % len(self.passport_ids)]
                    )
                    with db.session.no_autoflush:  # as the page's service, loaded already
                        referral = referrals.save_draft(
                            passport,
                            services[number % len(services)],
                            ["about", "money"],
                            "Please call after ten.",
                            90,
                        )
                    db.session.flush()
                    referrals.send(passport, referral)
                    if number % 3 == 0:
                        referrals.mark_opened(referral)
                    if number % 6 == 0:
                        referrals.accept(referral)
                db.session.commit()
                db.session.expunge_all()
                self.made += min(BATCH, count - start)


def signed_in(app):  # type: ignore[no-untyped-def]
    """A test client signed in for work as staff of the organisation."""
    from passport.database import db
    from passport.directory.models import Organisation
    from passport.staff import service as staff
    from passport.staff.models import StaffMembership

    with app.app_context():
        account = staff.create_account(f"bench-{uuid.uuid4().hex[:8]}@example.org")
        organisation_id = db.session.scalar(
            sa.select(Organisation.id).where(Organisation.slug == ORG)
        )
        db.session.add(
            StaffMembership(
                account_id=account.id,
                organisation_id=organisation_id,
                role="staff",
                created_at=account.created_at,
            )
        )
        token = staff.issue_sign_in_link(account)
        db.session.commit()
    client = app.test_client()
    page = client.get(f"/staff/sign-in/link/{token}")
    csrf = parse_page(page.get_data(as_text=True)).hidden["csrf_token"]
    signed = client.post(f"/staff/sign-in/link/{token}", data={"csrf_token": csrf})
    assert signed.status_code == 302, signed.status_code
    return client


def pages(builder: Builder) -> dict[str, str]:
    inbox = f"/staff/{ORG}/referrals"
    return {
        "newest first": inbox,
        "status: new": f"{inbox}?status=sent",
        "one service": f"{inbox}?service={builder.service_ids[0]}",
    }


def measure(client, asked: dict[str, str]) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    timings: dict[str, list[float]] = {}
    for kind, path in asked.items():
        assert client.get(path).status_code == 200  # warm up: caches and the query plan
        for _ in range(REPEAT):
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            response.get_data()
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            timings.setdefault("cpu", []).append((time.process_time() - cpu) * 1000)
            assert response.status_code == 200, response.status_code
    return timings


def run(engine: str) -> dict[int, dict[str, list[float]]]:
    from passport import create_app

    results: dict[int, dict[str, list[float]]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="passport-bench-inbox-") as folder,
        database(engine, Path(folder)) as url,
        environment(Path(folder), url) as env,
    ):
        server.run_passport(env, "db", "upgrade")
        server.run_passport(env, "demo", "load")
        app = create_app()
        try:
            builder = Builder(app)
            client = signed_in(app)
            for size in SIZES:
                started = time.perf_counter()
                if builder.made == 0:
                    builder.make(size)  # by the service functions, as residents send them
                else:
                    builder.bulk(size - builder.made)
                built = time.perf_counter() - started
                if engine == "postgresql":
                    with app.app_context():
                        from passport.database import db

                        with db.engine.connect().execution_options(
                            isolation_level="AUTOCOMMIT"
                        ) as connection:
                            connection.execute(sa.text("ANALYZE"))
                results[size] = measure(client, pages(builder))
                every = [t for k, v in results[size].items() if k != "cpu" for t in v]
                print(
                    f"{engine} {size:>5} referrals (built in {built:.0f} s): "
                    + ", ".join(
                        f"{kind} p50 {statistics.median(v):.1f} p95 {percentile(v, 0.95):.1f}"
                        for kind, v in results[size].items()
                    )
                    + f"; all p95 {percentile(every, 0.95):.1f} ms",
                    flush=True,
                )
        finally:
            with app.app_context():
                from passport.database import db

                db.session.remove()
                db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--sizes", type=int, nargs=2, metavar=("SMALL", "LARGE"))
    arguments = parser.parse_args()
    engines: list[str] = arguments.engine or ["sqlite", "postgresql"]
    global SIZES
    SIZES = tuple(arguments.sizes or SIZES)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    overall: dict[str, float] = {}
    for engine in engines:
        results = run(engine)
        small, large = SIZES
        every = {
            size: [t for k, v in results[size].items() if k != "cpu" for t in v] for size in SIZES
        }
        at_small, at_large = percentile(every[small], 0.95), percentile(every[large], 0.95)
        overall[engine] = at_large
        print(
            f"{engine}: p95 {at_small:.1f} ms at {small:,}, {at_large:.1f} ms at {large:,}; "
            f"{large:,}/{small:,} ratio {at_large / at_small:.2f}",
            flush=True,
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"inbox p95 at {SIZES[1]:,} referrals: "
        + ", ".join(f"{engine} {overall[engine]:.1f} ms" for engine in engines)
    )


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
