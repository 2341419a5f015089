/** Money is integer cents; an order's total is GA tickets plus the table's tier price. */
export function orderAmountCents(gaPriceCents: number, gaQuantity: number, tablePriceCents = 0): number {
  const total = gaPriceCents * gaQuantity + tablePriceCents;
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`invalid order amount ${total}`);
  return total;
}

/** "515.00": an amount as a spreadsheet reads a number (a point, two decimals), the currency beside it. */
export function decimalAmount(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** "€25.00", "$300.00": cents in the event's currency, as people read prices. */
export function formatMoney(cents: number, currency: string, locale?: string): string {
  return new Intl.NumberFormat(locale ?? 'en', { style: 'currency', currency: currency.toUpperCase() }).format(
    cents / 100,
  );
}
