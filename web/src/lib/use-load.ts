import { useCallback, useEffect, useRef, useState, type Inputs } from 'preact/hooks';
import { errorText } from './api.js';

export interface Loaded<T> {
  /** The last answer, kept while a reload is under way (so a page does not blink). */
  data: T | null;
  /** Words for the last failure, cleared by the next success. */
  error: string | null;
  /** True until the first answer or failure, and again during a reload. */
  loading: boolean;
  /** Load again now (after a write, or on a timer); resolves once the answer is in. */
  reload: () => Promise<void>;
  /** Replace the data without asking the server (an answer a write already returned). */
  setData: (data: T) => void;
}

/**
 * The one way a page reads what it shows. `load` gets a signal that aborts when the inputs change
 * or the page goes away, so a slow answer for the previous order never lands on the next one and
 * nothing is set on an unmounted page. Every request keeps api()'s one timeout. The last answer
 * stays on screen while the next is read (a search as the owner types does not blink); a part
 * that shows another order or event altogether is given its own `key`, so it starts empty.
 *
 * The lint checks `deps` against what `load` uses (react-hooks/exhaustive-deps, additionalHooks).
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: Inputs): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const current = useRef<AbortController | null>(null);

  // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps are checked at the call
  const run = useCallback(load, deps);

  const start = useCallback(async () => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setLoading(true);
    try {
      const value = await run(controller.signal);
      if (controller.signal.aborted) return;
      setData(value);
      setError(null);
    } catch (err) {
      if (!controller.signal.aborted) setError(errorText(err));
    } finally {
      if (!controller.signal.aborted) setLoading(false);
    }
  }, [run]);

  useEffect(() => {
    void start();
    return () => current.current?.abort();
  }, [start]);

  return { data, error, loading, reload: start, setData };
}

/** `value`, once it has stayed the same for `ms` (what someone types, read when they pause). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}
