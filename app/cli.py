"""python -m app: serve, migrate, worker, create-project, seed-demo, export-schema."""

import argparse
import asyncio
import json
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
        import uvicorn

        from app.http.client_address import is_loopback

        if get_settings().app_env == "development" and not is_loopback(args.host):
            print(
                f"warning: development mode on {args.host}: keyless requests are refused from other "
                "machines, but GraphiQL and introspection are on; use APP_ENV=production when serving others.",
                file=sys.stderr,
            )

        # No access log: it would write every client's IP address.
        # SIGTERM: in-flight requests get 5 s, then the lifespan stops background work
        # (2 s grace, leases released): the process exits within 10 s (DESIGN 4.11).
        uvicorn.run(
            "app.main:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            access_log=False,
            timeout_graceful_shutdown=5,
        )
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
