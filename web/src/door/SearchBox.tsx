import type { RefObject } from 'preact';
import { useComputed, useSignal } from '@preact/signals';
import type { CachedTicket } from '@domain/scanner-cache.js';
import type { DoorEngine } from './engine.js';
import { clockTime } from '../lib/format.js';

const looksLikeCode = (s: string) => /^V1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(s.trim());

function statusText(t: CachedTicket): { text: string; cls: string } {
  switch (t.status) {
    case 'checked_in':
      return { text: `in since ${t.checked_in_at ? clockTime(t.checked_in_at) : '?'}`, cls: 'info' };
    case 'valid':
      return { text: 'not in yet', cls: 'ok' };
    case 'void':
      return { text: 'void', cls: 'bad' };
    default:
      return { text: 'unpaid', cls: 'bad' };
  }
}

/**
 * One input for everything a person or a handheld scanner can type: a ticket code (Enter scans it)
 * or a name, e-mail or table number, which searches this device's ticket list. Tapping a hit
 * admits that ticket (the guest whose phone died), through the same door rules.
 */
export function SearchBox({
  engine,
  inputRef,
  onTyping,
}: {
  engine: DoorEngine;
  inputRef: RefObject<HTMLInputElement | null>;
  onTyping: () => void;
}) {
  const typed = useSignal('');
  const text = typed.value;
  const setText = (value: string) => (typed.value = value);
  // Searched again when the text or this device's list changes (a sync brings new names).
  const found = useComputed(
    () => (engine.version.value, looksLikeCode(typed.value) ? [] : engine.cache.search(typed.value)),
  );
  const hits = found.value;

  const submit = (e: Event) => {
    e.preventDefault();
    if (!text.trim()) return;
    if (looksLikeCode(text) || hits.length === 0) {
      void engine.scan({ qr: text }, 'typed');
      setText('');
    }
  };

  const admit = (t: CachedTicket) => {
    void engine.scan({ ticketId: t.id }, 'search');
    setText('');
    inputRef.current?.focus();
  };

  return (
    <section class="card stack search" aria-label="Type a code or search">
      <form onSubmit={submit} role="search">
        <label for="door-input" class="visually-hidden">
          Ticket code, or a name, e-mail or table to search
        </label>
        <input
          id="door-input"
          ref={inputRef}
          class="input big"
          type="search"
          placeholder="Code, name, e-mail or table"
          autocomplete="off"
          autocapitalize="off"
          spellcheck={false}
          enterkeyhint="go"
          autofocus
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value);
            // The result folds away as soon as someone types: the search results must be seen.
            onTyping();
          }}
        />
      </form>
      {text.trim() && !looksLikeCode(text) && (
        <ul class="list hits" aria-label="Matching tickets">
          {hits.length === 0 && (
            <li class="muted">No ticket matches “{text.trim()}”. Press Enter to scan it as a code.</li>
          )}
          {hits.map((t) => {
            const s = statusText(t);
            const r = t.reservation;
            return (
              <li key={t.id}>
                <button class="hit" type="button" onClick={() => admit(t)}>
                  {/* Heard before the visible words, so the button's name still holds what is seen (WCAG 2.5.3). */}
                  <span class="visually-hidden">Admit </span>
                  <span class="hit-name">{t.holder_name || 'No name'}</span>
                  <span class="hit-meta">
                    {r
                      ? r.role === 'host'
                        ? `VIP host · Table ${r.table_number}`
                        : `Guest · Table ${r.table_number}`
                      : 'GA'}
                  </span>
                  <span class={`pill ${s.cls}`}>{s.text}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
