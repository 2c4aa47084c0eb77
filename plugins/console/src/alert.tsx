/** What went wrong, announced to screen readers; nothing when all is well. */
export function Alert({ text }: { text?: string | null }) {
  return text ? (
    <p role="alert" class="error">
      {text}
    </p>
  ) : null;
}
