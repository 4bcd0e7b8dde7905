import type { ComponentChildren } from "preact";

/** One card of the profile: a titled section with optional actions in its header. */
export function Card(props: { title: string; actions?: ComponentChildren; children: ComponentChildren; id?: string }) {
  const testId = props.id ?? props.title.toLowerCase().replace(/[^a-z]+/g, "-");
  return (
    <section class="card" aria-label={props.title} data-card={testId}>
      <header class="card-header">
        <h2>{props.title}</h2>
        {props.actions ? <div class="card-actions">{props.actions}</div> : null}
      </header>
      <div class="card-body">{props.children}</div>
    </section>
  );
}
