/**
 * A field's refusal, tied to its input: the input gets `{...invalidProps(id, error)}` (marked
 * invalid, pointing at the words) and `<FieldError id={id} error={error} />` shows them.
 */
export const invalidProps = (
  id: string,
  error: string | null | undefined,
): { 'aria-invalid'?: true; 'aria-describedby'?: string } =>
  error ? { 'aria-invalid': true, 'aria-describedby': id } : {};

export function FieldError({ id, error }: { id: string; error: string | null | undefined }) {
  if (!error) return null;
  return (
    <span class="error" id={id}>
      {error}
    </span>
  );
}
