/** A pass's serial: the ticket and which of its codes (each holder's pass is its own). */
export const passSerial = (ticketId: string, generation: number) => `${ticketId}.${generation}`;

export function parsePassSerial(serial: string): { ticketId: string; generation: number } | null {
  const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,9})$/.exec(serial);
  return m ? { ticketId: m[1]!, generation: Number(m[2]) } : null;
}
