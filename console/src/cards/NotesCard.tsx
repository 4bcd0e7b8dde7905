import { useState } from "preact/hooks";
import { request, type UserError } from "../client";
import { formatDate } from "../format";
import {
  AddNoteDocument,
  DeleteNoteDocument,
  UpdateNoteDocument,
  type NotesCardFragment,
} from "../generated/graphql";
import { ActionDialog } from "../ui/ActionDialog";
import { Card } from "../ui/Card";
import { FieldErrors } from "../ui/FieldErrors";
import { useSession } from "../ui/SessionContext";

type Note = NotesCardFragment["notes"][number];
type Editing = { mode: "add" } | { mode: "edit"; note: Note } | { mode: "delete"; note: Note } | null;

export function NotesCard(props: { appUserId: string; customer: NotesCardFragment; onChanged: () => void }) {
  const session = useSession();
  const { notesPerCustomer } = session.limits;
  const [editing, setEditing] = useState<Editing>(null);
  const notes = props.customer.notes;
  const full = notes.length >= notesPerCustomer;
  const done = () => {
    setEditing(null);
    props.onChanged();
  };

  return (
    <Card
      title="Notes"
      id="notes"
      actions={
        session.mayAct ? (
          <button type="button" disabled={full} onClick={() => setEditing({ mode: "add" })}>
            + Add note
          </button>
        ) : null
      }
    >
      <p class="muted" data-testid="note-count">
        {notes.length} of {notesPerCustomer} notes
        {full ? ` · the limit is reached: delete a note to add another.` : null}
      </p>
      {notes.length === 0 ? <p class="muted">No notes yet.</p> : null}
      <ul class="notes">
        {notes.map((note) => (
          <li key={note.id} class="note">
            {/* bodyHtml is sanitized by the server; the page's CSP forbids scripts as well. */}
            <div class="note-body" dangerouslySetInnerHTML={{ __html: note.bodyHtml }} />
            <div class="note-meta">
              <span class="muted">
                {note.author} · {formatDate(note.updatedAt)}
              </span>
              {session.mayAct ? (
                <span class="row-actions">
                  <button type="button" class="link" onClick={() => setEditing({ mode: "edit", note })}>
                    Edit
                  </button>
                  <button type="button" class="link" onClick={() => setEditing({ mode: "delete", note })}>
                    Delete
                  </button>
                </span>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
      {editing?.mode === "add" ? (
        <NoteDialog
          title="Add note"
          initial=""
          onClose={() => setEditing(null)}
          onDone={done}
          save={async (body) =>
            (await request(AddNoteDocument, { input: { appUserId: props.appUserId, body } })).addNote.userErrors
          }
        />
      ) : null}
      {editing?.mode === "edit" ? (
        <NoteDialog
          title="Edit note"
          initial={editing.note.body}
          onClose={() => setEditing(null)}
          onDone={done}
          save={async (body) =>
            (await request(UpdateNoteDocument, { input: { noteId: editing.note.id, body } })).updateNote.userErrors
          }
        />
      ) : null}
      {editing?.mode === "delete" ? (
        <ActionDialog
          title="Delete note"
          confirmLabel="Delete note"
          danger
          withReason={false}
          onClose={() => setEditing(null)}
          onDone={done}
          onConfirm={async () =>
            (await request(DeleteNoteDocument, { input: { noteId: editing.note.id } })).deleteNote.userErrors
          }
        >
          {() => <div class="note-body quoted" dangerouslySetInnerHTML={{ __html: editing.note.bodyHtml }} />}
        </ActionDialog>
      ) : null}
    </Card>
  );
}

function NoteDialog(props: {
  title: string;
  initial: string;
  onClose: () => void;
  onDone: () => void;
  save: (body: string) => Promise<readonly UserError[]>;
}) {
  const { noteMaxLength } = useSession().limits;
  const [body, setBody] = useState(props.initial);
  const length = body.trim().length;
  const tooLong = length > noteMaxLength;
  return (
    <ActionDialog
      title={props.title}
      confirmLabel="Save note"
      withReason={false}
      fields={["body"]}
      canConfirm={length > 0 && !tooLong}
      onClose={props.onClose}
      onDone={props.onDone}
      onConfirm={() => props.save(body)}
    >
      {(errors) => (
        <label class="field">
          <span>Note (Markdown)</span>
          <textarea name="body" rows={5} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
          <span class={tooLong ? "counter over" : "counter"} data-testid="note-length">
            {length} / {noteMaxLength} characters{tooLong ? ": too long" : ""}
          </span>
          <FieldErrors errors={errors} field="body" />
        </label>
      )}
    </ActionDialog>
  );
}
