import { errorsFor, type UserError } from "../client";

/** The mutation's userErrors for one field, shown right under it. */
export function FieldErrors(props: { errors: readonly UserError[]; field: string }) {
  const mine = errorsFor(props.errors, props.field);
  if (!mine.length) return null;
  return (
    <ul class="field-errors" role="alert" data-field={props.field}>
      {mine.map((error) => (
        <li key={error.code + error.message}>
          {error.message} <code>{error.code}</code>
        </li>
      ))}
    </ul>
  );
}

/** Errors that name no field of the form (or a failure of the whole request). */
export function FormErrors(props: { errors: readonly UserError[]; failure?: string | null }) {
  if (!props.errors.length && !props.failure) return null;
  return (
    <ul class="field-errors form-errors" role="alert">
      {props.failure ? <li>{props.failure}</li> : null}
      {props.errors.map((error) => (
        <li key={error.code + error.message}>
          {error.message} <code>{error.code}</code>
        </li>
      ))}
    </ul>
  );
}
