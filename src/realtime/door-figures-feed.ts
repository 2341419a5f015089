/**
 * The night's door figures, pushed to every screen watching an event (the owner's dashboard, the
 * door app): one reader per watched event, not per screen. Once a second, while anyone watches,
 * the figures are read (two grouped counts over the event's tickets, a few ms) and sent only when
 * they changed. Why not a notification per admission: every scan would then pay for a NOTIFY at
 * commit (a lock all notifying transactions queue on) on the door's hot path, to move a number
 * people read at a glance; a second's delay costs nobody anything.
 */
export class DoorFiguresFeed<Figures> {
  private readonly watched = new Map<
    string,
    { listeners: Set<(figures: Figures, json: string) => void>; last: string | null }
  >();
  private timer: ReturnType<typeof setInterval> | undefined;
  private ticking = false;

  constructor(
    private readonly read: (eventId: string) => Promise<Figures>,
    private readonly onError: (err: Error) => void,
    private readonly intervalMs = 1000,
  ) {}

  /** Calls `listener` with each new version of the figures (not with the current one: read that yourself). */
  subscribe(eventId: string, current: Figures, listener: (figures: Figures, json: string) => void): () => void {
    let entry = this.watched.get(eventId);
    if (!entry) this.watched.set(eventId, (entry = { listeners: new Set(), last: JSON.stringify(current) }));
    entry.listeners.add(listener);
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size) return;
      this.watched.delete(eventId);
      if (!this.watched.size) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    // A slow database must not pile reads up: a tick still running skips the next.
    if (this.ticking) return;
    this.ticking = true;
    try {
      for (const [eventId, entry] of [...this.watched]) {
        try {
          const figures = await this.read(eventId);
          const json = JSON.stringify(figures);
          if (json === entry.last) continue;
          entry.last = json;
          for (const listener of [...entry.listeners]) listener(figures, json);
        } catch (err) {
          this.onError(err as Error);
        }
      }
    } finally {
      this.ticking = false;
    }
  }
}
