import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** Keys closer together than this come from a scanner, not a person. */
const BURST_GAP_MS = 60;

/**
 * USB and Bluetooth scanners "type" the code and press Enter. When the door's input has focus that
 * is an ordinary submit; when focus is elsewhere (after tapping a button), this catches the burst
 * of keys anywhere on the page, so a scanner works without anyone touching the screen.
 */
export function useKeyboardWedge(onCode: (code: string) => void, input: RefObject<HTMLInputElement | null>): void {
  const callback = useRef(onCode);
  callback.current = onCode;
  useEffect(() => {
    let buffer = '';
    let lastKey = 0;
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target === input.current || target?.closest('input, textarea, select')) return;
      const now = performance.now();
      if (now - lastKey > BURST_GAP_MS * 5) buffer = '';
      lastKey = now;
      if (e.key === 'Enter') {
        if (buffer.length >= 8) {
          e.preventDefault();
          callback.current(buffer);
        }
        buffer = '';
      } else if (e.key.length === 1) {
        buffer += e.key;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [input]);
}
