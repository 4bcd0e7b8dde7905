"""The support console at /console: its built assets, the page for every client-side
route, and the session probe that tells the page who the key is.

The page and its assets are public; every piece of customer data still goes through
/graphql with the key. The assets are built from console/ (`make console`) and
committed, so serving them needs no Node.
"""

from pathlib import Path

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from app.domain import attributes, notes
from app.domain.enums import ApiKeyRole
from app.graphql.view import GraphQLView
from app.settings import Settings

CONSOLE_DIR = Path(__file__).parent / "console_static"

# The built page loads only its own files; note HTML (sanitized on the server) can then
# neither run scripts nor load anything from elsewhere, even if the sanitizer failed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
SUPPORT_ROLES = frozenset({ApiKeyRole.SUPPORT, ApiKeyRole.ADMIN})
READING_ROLES = frozenset({ApiKeyRole.VIEWER, ApiKeyRole.SUPPORT, ApiKeyRole.ADMIN})


def console_limits() -> dict[str, object]:
    """The rules the page shows before the server refuses, from the domain itself."""
    return {
        "noteMaxLength": notes.MAX_NOTE_LENGTH,
        "notesPerCustomer": notes.MAX_NOTES_PER_CUSTOMER,
        "attributeKeyPattern": attributes.CUSTOM_KEY_PATTERN.pattern,
        "attributeKeyMaxLength": attributes.MAX_CUSTOM_KEY_LENGTH,
        "attributeValueMaxLength": attributes.MAX_VALUE_LENGTH,
        "reservedAttributeKeys": sorted(attributes.RESERVED_KEYS),
    }


def console_app(graphql: GraphQLView, settings: Settings) -> Starlette:
    """The ASGI app mounted at /console."""

    async def page(_: Request) -> Response:
        index = CONSOLE_DIR / "index.html"
        if not index.is_file():
            return PlainTextResponse("The console is not built: run `make console`.", status_code=503)
        return FileResponse(
            index,
            headers={"Cache-Control": "no-cache", "Content-Security-Policy": CONTENT_SECURITY_POLICY},
        )

    async def session(request: Request) -> Response:
        try:
            principal = await graphql.principal_for(request)
        except HTTPException as exc:
            return JSONResponse(
                {"error": exc.reason, "keyRequired": settings.is_production},
                status_code=exc.status_code,
                headers={"Cache-Control": "no-store"},
            )
        body = {
            "environment": settings.app_env,
            "keyName": principal.key_name,
            "role": principal.role.value,
            "mayRead": principal.role in READING_ROLES,
            "mayAct": principal.role in SUPPORT_ROLES,
            "limits": console_limits(),
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return Starlette(
        routes=[
            Route("/", page),
            Route("/customers/{app_user_id:path}", page),
            Route("/session", session),
            Mount("/assets", StaticFiles(directory=CONSOLE_DIR / "assets", check_dir=False)),
        ]
    )
