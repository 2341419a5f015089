import type { ComponentChildren } from 'preact';
import { around, type MessageKey } from '../lib/i18n.js';
import type { MessageValues } from '@i18n/translator.js';

/**
 * A message with an element inside it, the element where each language's grammar puts it:
 * `<Slotted message="cancel.total" slot="amount"><strong>€460.00</strong></Slotted>` says
 * "Refund total **€460.00**" in English and "Erstattung gesamt **460,00 €**" in German.
 */
export function Slotted({
  message,
  slot,
  values,
  children,
}: {
  message: MessageKey;
  slot: string;
  values?: MessageValues;
  children: ComponentChildren;
}) {
  const [before, after] = around(message, slot, values);
  return (
    <>
      {before}
      {children}
      {after}
    </>
  );
}
