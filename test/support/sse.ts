/** Reads a Server-Sent Events response as a queue of {event, data} messages. */
export class SseReader {
  private buffer = '';
  private readonly messages: Array<{ event: string; data: unknown }> = [];
  private waiting: (() => void) | undefined;
  private done = false;

  constructor(private readonly response: Response) {
    void this.pump();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    const reader = this.response.body!.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, cut);
          this.buffer = this.buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          // `ping` only keeps the connection alive (and lets browsers notice a dead one).
          if (event && data && event !== 'ping') this.messages.push({ event, data: JSON.parse(data) });
        }
        this.waiting?.();
      }
    } catch {
      // aborted by the test
    }
    this.done = true;
    this.waiting?.();
  }

  /** The next message, waiting up to `timeoutMs` for it. */
  async next(timeoutMs = 5_000): Promise<{ event: string; data: unknown }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.messages.length) {
      if (this.done) throw new Error('stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no SSE message in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiting = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return this.messages.shift()!;
  }

  pending(): number {
    return this.messages.length;
  }

  /** Resolves once the server has ended the stream (rejects after `timeoutMs`). */
  async closed(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.done) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('the stream is still open');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.waiting = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}
