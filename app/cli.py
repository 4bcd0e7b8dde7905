"""python -m app: serve, migrate, worker, create-project, seed-demo, export-schema,
check-config."""

import argparse
import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

from app.settings import get_settings


def _migrate() -> None:
    from app.db.migrate import upgrade

    upgrade(get_settings().database_url)


async def _with_db(action):  # type: ignore[no-untyped-def]
    from app.db.engine import Database, create_engine

    db = Database(create_engine(get_settings().database_url))
    try:
        return await action(db)
    finally:
        await db.dispose()


def _serve(host: str, port: int, workers: int) -> None:
    import tempfile

    import uvicorn

    from app.http.client_address import is_loopback
    from app.logging import uvicorn_log_config
    from app.observability.multiprocess import MULTIPROCESS_ENV, prepare_multiprocess_dir

    settings = get_settings()
    if settings.app_env == "development" and not is_loopback(host):
        print(
            f"warning: development mode on {host}: keyless requests are refused from other "
            "machines, but GraphiQL and introspection are on; use APP_ENV=production when serving others.",
            file=sys.stderr,
        )
    # Metrics in multiprocess mode: every server process writes its samples here and any
    # of them answers /metrics for all (set before the app, and prometheus-client, load).
    owned = None
    if not os.environ.get(MULTIPROCESS_ENV):
        owned = tempfile.mkdtemp(prefix="customer-profile-metrics-")
        os.environ[MULTIPROCESS_ENV] = owned
    prepare_multiprocess_dir(Path(os.environ[MULTIPROCESS_ENV]))
    try:
        # No access log: it would write every client's IP address; our request lines
        # (app/observability/requests.py) say what happened without it.
        uvicorn.run(
            "app.main:app",
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_config=uvicorn_log_config(settings.log_level, json=settings.is_production),
            # SIGTERM: in-flight requests get 5 s, then the lifespan stops background work
            # (2 s grace, leases released): the process exits within 10 s (DESIGN 4.11).
            timeout_graceful_shutdown=5,
        )
    finally:
        if owned:
            shutil.rmtree(owned, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API (does not migrate)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1, help="server processes (stateless; share the database)"
    )
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser(
        "check-config", help="validate settings, database reachability and store apps; print what is missing"
    )
    commands.add_parser("worker", help="run the webhook dispatcher and expiry scheduler alone")
    create = commands.add_parser("create-project", help="create a project and print its admin key")
    create.add_argument("name")
    commands.add_parser("seed-demo", help="create the demo project, once")
    export = commands.add_parser("export-schema", help="print or write the GraphQL schema")
    export.add_argument("--output", type=Path)
    args = parser.parse_args(argv)

    if args.command == "migrate":
        _migrate()
        print("migrated", file=sys.stderr)
    elif args.command == "serve":
        _serve(args.host, args.port, args.workers)
    elif args.command == "check-config":
        from app.check_config import run_check

        return asyncio.run(run_check())
    elif args.command == "create-project":
        from app.services.projects import create_project

        async def new_project(db):  # type: ignore[no-untyped-def]
            return await create_project(db, args.name)

        project, secret = asyncio.run(_with_db(new_project))
        print(json.dumps({"project_id": project.id, "admin_key": secret}))
    elif args.command == "seed-demo":
        from app.seed import seed_demo

        created = asyncio.run(_with_db(seed_demo))
        print("demo project seeded" if created else "demo data already present", file=sys.stderr)
    elif args.command == "worker":
        from app.worker import run_worker

        asyncio.run(run_worker(get_settings()))
    elif args.command == "export-schema":
        from app.graphql.schema import build_schema, schema_sdl
        from app.settings import Settings

        sdl = schema_sdl(build_schema(Settings(app_env="development")))
        if args.output:
            args.output.write_text(sdl)
        else:
            sys.stdout.write(sdl)
    return 0
