import type { ComponentChildren } from 'preact';
import { FieldError, invalidProps } from './FieldError.js';

/** What a field's control must carry: its id (the label's target) and, when refused, the link to the words. */
export interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/**
 * A labelled field whose refusal is tied to its control: the control is rendered with
 * `control` spread on it, so it is named by the label, marked invalid and described by the error
 * whenever there is one. A field cannot forget either half.
 */
export function Field({
  id,
  label,
  error,
  children,
}: {
  id: string;
  label: ComponentChildren;
  error?: string | null | undefined;
  children: (control: ControlProps) => ComponentChildren;
}) {
  const errorId = `${id}-error`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children({ id, ...invalidProps(errorId, error) })}
      <FieldError id={errorId} error={error} />
    </div>
  );
}
