import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

/** A small menu in the top bar (a native <details>: keyboard and screen readers work as is). */
export function Menu({ label, children }: { label: string; children: ComponentChildren }) {
  const ref = useRef<HTMLDetailsElement>(null);
  const close = () => ref.current?.removeAttribute('open');
  return (
    <details class="menu" ref={ref}>
      <summary class="btn ghost small">{label}</summary>
      {/* A chosen item's click (mouse, Enter or Space) bubbles here and folds the menu; a choice
          made in a list (the language) stays open until it is made. */}
      <div
        class="menu-items"
        role="presentation"
        onClick={(e) => (e.target as Element).closest('button, a') && close()}
        onChange={close}
      >
        {children}
      </div>
    </details>
  );
}
