/**
 * The promoter link a buyer came through (`?p=CODE` on any page): kept on this device so it
 * survives the way to checkout (the event page, an invite, a reload); the last link followed wins.
 * After 30 days it no longer counts: a promoter earns what they brought in, not a month later.
 */
const KEY = 'velvet.promoter';
const DAYS_30 = 30 * 24 * 3600_000;
const CODE = /^[A-Za-z0-9][A-Za-z0-9-]{1,31}$/;

export function rememberPromoter(search: string, now = Date.now()): void {
  const code = new URLSearchParams(search).get('p');
  if (!code || !CODE.test(code)) return;
  try {
    localStorage.setItem(KEY, JSON.stringify({ code: code.toLowerCase(), at: now }));
  } catch {
    // Storage refused (private mode): the link counts for this page only.
  }
}

export function promoterCode(now = Date.now()): string | undefined {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as { code?: string; at?: number } | null;
    return saved?.code && saved.at && now - saved.at < DAYS_30 ? saved.code : undefined;
  } catch {
    return undefined;
  }
}
