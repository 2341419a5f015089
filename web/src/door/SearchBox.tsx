import type { RefObject } from 'preact';
import { useComputed, useSignal } from '@preact/signals';
import type { CachedTicket } from '@domain/scanner-cache.js';
import type { DoorEngine } from './engine.js';
import { clockTime } from '../lib/format.js';
import { t } from '../lib/i18n.js';

const looksLikeCode = (s: string) => /^V1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(s.trim());

function statusText(ticket: CachedTicket): { text: string; cls: string } {
  switch (ticket.status) {
    case 'checked_in':
      return {
        text: t('door.search.inSince', { time: ticket.checked_in_at ? clockTime(ticket.checked_in_at) : '?' }),
        cls: 'info',
      };
    case 'valid':
      return { text: t('door.search.notIn'), cls: 'ok' };
    case 'void':
      return { text: t('door.search.void'), cls: 'bad' };
    default:
      return { text: t('door.search.unpaid'), cls: 'bad' };
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
    <section class="card stack search" aria-label={t('door.search.label')}>
      <form onSubmit={submit} role="search">
        <label for="door-input" class="visually-hidden">
          {t('door.search.inputLabel')}
        </label>
        <input
          id="door-input"
          ref={inputRef}
          class="input big"
          type="search"
          placeholder={t('door.search.placeholder')}
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
        <ul class="list hits" aria-label={t('door.search.results')}>
          {hits.length === 0 && <li class="muted">{t('door.search.none', { text: text.trim() })}</li>}
          {hits.map((hit) => {
            const s = statusText(hit);
            const r = hit.reservation;
            return (
              <li key={hit.id}>
                <button class="hit" type="button" onClick={() => admit(hit)}>
                  {/* Heard before the visible words, so the button's name still holds what is seen (WCAG 2.5.3). */}
                  <span class="visually-hidden">{t('door.search.admit')} </span>
                  <span class="hit-name">{hit.holder_name || t('door.search.noName')}</span>
                  <span class="hit-meta">
                    {r
                      ? t(r.role === 'host' ? 'door.search.host' : 'door.search.guest', { table: r.table_number })
                      : t('door.search.ga')}
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
