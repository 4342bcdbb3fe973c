"""Alerts benchmark: what rule evaluation adds to an import, and the alerts page and patient
page on a database of synthetic studies.

    python bench/alerts.py [--postgresql URL] [--studies 100000] [--passes 5] [--runs 15]

(a) Import: each corpus file imported into a database emptied of studies, without rule
evaluation (as an import that finds no rule) and then with every default rule enabled, patient IDs stored (hashed) so that the cumulative
rules have work to do, and a user subscribed to every modality so that alerts are marked for
e-mail; ``passes`` times. Per file, the median ``import_file`` time of each kind and the
median time spent inside rule evaluation (``evaluate_import``, timed in the import). The
evaluation time is the added cost; the difference between the two import times shows how
much the machine's noise exceeds it. On SQLite, and on PostgreSQL when a URL is given.

(b) Pages (PostgreSQL, or SQLite when no URL is given): ``studies`` synthetic studies
(``flask dev populate``), 200 of them given one patient's hashed ID; the default rules are
applied to every stored study (timed: the background re-evaluation), then the alerts page
(open alerts, first page) and that patient's page are requested ``runs`` times each and the
median and 95th percentile reported. The database is emptied of all its tables: give the
benchmark its own. The report goes to standard output.
"""
import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = Path(os.environ.get("KERMA_CORPUS", REPO.parent / "shared" / "corpus"))


def make_app(url):
    """The application on the benchmark database, with a fresh schema."""
    from sqlalchemy import MetaData

    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "ALERT_MAIL_SERVER": "127.0.0.1"})
    with app.app_context():
        existing = MetaData()
        existing.reflect(db.engine)
        existing.drop_all(db.engine)
        db.create_all()
    return app


def _delete_studies(app):
    from sqlalchemy import delete

    from app import tally  # noqa: F401
    from app.extensions import db
    from app.models.study import GeneralStudyModuleAttr
    from app.models.tally import StudyTally

    with app.app_context():
        db.session.execute(delete(GeneralStudyModuleAttr))
        db.session.execute(delete(StudyTally))
        db.session.commit()


def _set_rules(app, enabled):
    from sqlalchemy import update

    from app.alerts.rules import add_defaults, forget
    from app.extensions import db
    from app.models.alerts import AlertRule

    with app.app_context():
        add_defaults(db.session)
        db.session.flush()
        db.session.execute(update(AlertRule).values(enabled=enabled))
        db.session.commit()
        forget()


def _prepare_site(app):
    """Patient IDs stored hashed, and a user who wants every modality's alerts by e-mail."""
    from app.extensions import db
    from app.importing import lookups
    from app.models.alerts import AlertSubscription
    from app.models.auth import User
    from app.models.settings import PatientIDSettings

    with app.app_context():
        db.session.add(PatientIDSettings(id_stored=True, id_hashed=True))
        user = User(username="physicist", email="physicist@hospital.test", password_hash="x")
        user.roles = {"view"}
        db.session.add(user)
        db.session.flush()
        db.session.add_all(AlertSubscription(user_id=user.id, modality=m)
                           for m in ("ct", "rf", "mg", "dx", "nm"))
        db.session.commit()
        lookups.forget()


def bench_imports(url, files, passes):
    """Per file: median import time without rules, with every default rule, and the time
    spent applying the rules inside the import; and the alerts the rules raised.

    Each file is imported without and with rules one right after the other (into a database
    emptied of studies each time), so drift in the machine's load falls on both.
    """
    import app.importing as importing
    from sqlalchemy import func, select

    from app.extensions import db
    from app.importing import import_file
    from app.models.alerts import Alert

    app = make_app(url)
    _prepare_site(app)
    inside = []
    evaluate = importing.evaluate_import

    def timed(session, study_id, **options):
        started = time.perf_counter()
        try:
            return evaluate(session, study_id, **options)
        finally:
            inside.append(time.perf_counter() - started)

    names = [f.name for f in files]
    times = {key: {name: [] for name in names} for key in ("off", "on", "rules")}
    alerts = set()
    _set_rules(app, True)
    importing.evaluate_import = timed
    with app.app_context():
        for f in files:  # warm-up: codes, identities, settings and statements a running
            import_file(f)  # Kerma holds
        db.session.remove()
    try:
        for _ in range(passes):
            for f in files:
                for enabled in (False, True):
                    _delete_studies(app)
                    # Without rules, as an import finds none: the call returns at once. The
                    # rules stay stored, so what imports remember of them stays warm (it is
                    # read again every 10 s, as in a running Kerma).
                    importing.evaluate_import = timed if enabled else (lambda *a, **k: 0)
                    with app.app_context():
                        inside.clear()
                        started = time.perf_counter()
                        import_file(f)
                        elapsed = time.perf_counter() - started
                        if enabled:
                            times["rules"][f.name].append(sum(inside))
                            if db.session.scalar(select(func.count(Alert.id))):
                                alerts.add(f.name)
                        times["on" if enabled else "off"][f.name].append(elapsed)
                        db.session.remove()
    finally:
        importing.evaluate_import = evaluate
    with app.app_context():
        db.engine.dispose()
    return ({key: {name: statistics.median(values) for name, values in per_file.items()}
             for key, per_file in times.items()}, alerts)


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def bench_pages(url, studies, runs, patient_studies=200):
    """Timings of re-evaluation, the alerts page and a patient page of ``patient_studies``."""
    from sqlalchemy import String, cast, func, select, update

    from app.alerts.background import reevaluate_rule
    from app.dev.populate import populate
    from app.extensions import db
    from app.importing.identity import hash_identifier
    from app.models.alerts import Alert, AlertRule
    from app.models.study import GeneralStudyModuleAttr as Study, PatientModuleAttr
    from bench.run import _admin_client

    app = make_app(url)
    figures = {}
    with app.app_context():
        started = time.perf_counter()
        populate(studies, seed=3)
        figures["populate"] = time.perf_counter() - started
        ids = db.session.scalars(select(Study.id).order_by(Study.id)
                                 .limit(patient_studies)).all()
        patient = hash_identifier("BENCH-PATIENT")
        db.session.execute(update(PatientModuleAttr)
                           .where(PatientModuleAttr.general_study_module_attr_id.in_(ids))
                           .values(patient_id=patient, id_hashed=True))
        # Every other study a patient of its own, as on a real site.
        db.session.execute(update(PatientModuleAttr)
                           .where(PatientModuleAttr.patient_id.is_(None))
                           .values(patient_id=cast(PatientModuleAttr.id, String),
                                   id_hashed=True))
        db.session.commit()
    _set_rules(app, True)
    with app.app_context():
        # Lower thresholds than the defaults, so that the page has alerts to list.
        for rule in db.session.scalars(select(AlertRule)):
            if rule.threshold:
                rule.threshold /= 20
        db.session.commit()
        started = time.perf_counter()
        for rule_id in db.session.scalars(select(AlertRule.id)).all():
            reevaluate_rule(rule_id, report=lambda message: None)
        figures["reevaluate"] = time.perf_counter() - started
        figures["alerts"] = db.session.scalar(select(func.count(Alert.id)))
        figures["studies"] = db.session.scalar(select(func.count(Study.id)))
        figures["dialect"] = db.engine.dialect.name
        db.session.remove()
    client = _admin_client(app)
    for label, path in (("alerts page (open, first page)", "/alerts/"),
                        (f"patient page ({patient_studies} studies)", f"/patients/{ids[0]}"),
                        (f"patient csv ({patient_studies} studies)", f"/patients/{ids[0]}.csv")):
        client.get(path)  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(path)
            response.get_data()
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        figures[label] = (statistics.median(times), _percentile(times, 0.95))
    with app.app_context():
        db.engine.dispose()
    return figures


def main():
    """Run both parts and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgresql", help="URL of a PostgreSQL database the benchmark may empty")
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--skip-imports", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)

    from bench.machine import cpu_model, memory

    print(f"Machine: {cpu_model()}, {os.cpu_count()} cores, {memory()}\n")
    files = sorted((CORPUS / "dicom").glob("*.dcm"))
    with tempfile.TemporaryDirectory() as folder:
        databases = {"SQLite": f"sqlite:///{folder}/bench.db"}
        if args.postgresql:
            databases["PostgreSQL"] = args.postgresql
        if not args.skip_imports:
            print("| Database | Files | Import, no rules (s) | With every default rule (s) "
                  "| Difference | Time inside rule evaluation (s) | Share of import "
                  "| Largest share on one file | Files raising alerts |")
            print("|---|---|---|---|---|---|---|---|---|")
            for label, url in databases.items():
                medians, alerts = bench_imports(url, files, args.passes)
                off, on = sum(medians["off"].values()), sum(medians["on"].values())
                rules = sum(medians["rules"].values())
                share = {f.name: medians["rules"][f.name] / medians["on"][f.name] for f in files}
                worst = max(share, key=share.get)
                print(f"| {label} | {len(files)} | {off:.3f} | {on:.3f} | "
                      f"{(on - off) / off * 100:+.1f} % | {rules:.3f} | {rules / on * 100:.1f} % "
                      f"| {share[worst] * 100:.1f} % ({worst}, "
                      f"{medians['rules'][worst] * 1000:.1f} ms) | {len(alerts)} |")
            print()
        url = args.postgresql or databases["SQLite"]
        figures = bench_pages(url, args.studies, args.runs)
    print(f"{figures['dialect']}: {figures['studies']:,} studies (populated in "
          f"{figures['populate']:.0f} s); every default rule at a twentieth of its threshold "
          f"applied to them in {figures['reevaluate']:.1f} s, {figures['alerts']:,} alerts\n")
    print("| Page | Median (ms) | 95th percentile (ms) |")
    print("|---|---|---|")
    for label, value in figures.items():
        if isinstance(value, tuple):
            print(f"| {label} | {value[0] * 1000:.0f} | {value[1] * 1000:.0f} |")


if __name__ == "__main__":
    main()
