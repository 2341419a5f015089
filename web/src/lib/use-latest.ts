import { useRef } from 'preact/hooks';

/**
 * A callback from the parent, always the latest one, for an effect that must not restart when
 * the parent renders (a live stream would reconnect on every keystroke).
 */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}
