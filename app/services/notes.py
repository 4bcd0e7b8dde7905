"""Customer notes: add, edit, delete; at most 10 per customer, even under concurrency."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.engine import Database
from app.db.models import Customer, Note
from app.domain.errors import DomainError, ErrorCode
from app.domain.notes import MAX_NOTES_PER_CUSTOMER, normalize_note_body, render_note_html
from app.services.audit import audit
from app.services.customers import lock_customer, require_customer
from app.services.unit_of_work import in_transaction


async def add_note(
    db: Database, project_id: int, app_user_id: str, body: str, author: str, now: datetime
) -> tuple[Note, Customer]:
    text = normalize_note_body(body)

    async def work(session: AsyncSession) -> tuple[Note, Customer]:
        customer = await require_customer(session, project_id, app_user_id)
        assert customer.id is not None
        # The count and the insert must not interleave with another request's.
        await lock_customer(session, customer.id)
        count = (await session.exec(select(func.count()).where(Note.customer_id == customer.id))).one()
        if count >= MAX_NOTES_PER_CUSTOMER:
            raise DomainError(
                ErrorCode.NOTE_LIMIT_REACHED,
                f"A customer has at most {MAX_NOTES_PER_CUSTOMER} notes; delete one first.",
                ("input", "appUserId"),
            )
        note = Note(
            project_id=project_id,
            customer_id=customer.id,
            body=text,
            body_html=render_note_html(text),
            author=author,
            created_at=now,
            updated_at=now,
        )
        session.add(note)
        await session.flush()
        audit(session, project_id, now, author, "addNote", customer.id, note_id=note.id)
        return note, customer

    return await in_transaction(db, work)


async def _note(session: AsyncSession, project_id: int, note_id: int | None) -> Note:
    note = (
        (await session.exec(select(Note).where(Note.id == note_id, Note.project_id == project_id))).first()
        if note_id is not None
        else None
    )
    if note is None:
        raise DomainError(ErrorCode.NOTE_NOT_FOUND, "No such note.", ("input", "noteId"))
    return note


async def update_note(
    db: Database, project_id: int, note_id: int | None, body: str, actor: str, now: datetime
) -> Note:
    text = normalize_note_body(body)

    async def work(session: AsyncSession) -> Note:
        note = await _note(session, project_id, note_id)
        note.body = text
        note.body_html = render_note_html(text)
        note.updated_at = now
        session.add(note)
        audit(session, project_id, now, actor, "updateNote", note.customer_id, note_id=note.id)
        return note

    return await in_transaction(db, work)


async def delete_note(db: Database, project_id: int, note_id: int | None, actor: str, now: datetime) -> int:
    async def work(session: AsyncSession) -> int:
        note = await _note(session, project_id, note_id)
        assert note.id is not None
        deleted = note.id
        audit(session, project_id, now, actor, "deleteNote", note.customer_id, note_id=deleted)
        await session.delete(note)
        return deleted

    return await in_transaction(db, work)
