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
