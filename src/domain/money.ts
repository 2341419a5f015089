/** Money is integer cents; an order's total is GA tickets plus the table's tier price. */
export function orderAmountCents(gaPriceCents: number, gaQuantity: number, tablePriceCents = 0): number {
  const total = gaPriceCents * gaQuantity + tablePriceCents;
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`invalid order amount ${total}`);
  return total;
}
