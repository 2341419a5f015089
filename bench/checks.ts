import type { LoadResult } from './load.js';
import type { BuyFacts, DoorFacts, DropFacts } from './verify.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const check = (name: string, actual: number, expected: number): Check => ({
  name,
  ok: actual === expected,
  detail: `${actual} (expected ${expected})`,
});

function answered(runs: LoadResult[], match: (label: string) => boolean): number {
  let n = 0;
  for (const r of runs) for (const [label, count] of r.labels) if (match(label)) n += count;
  return n;
}

/** After the door runs (warm-up included): the scans table and the tickets agree with what clients were told. */
export function doorChecks(facts: DoorFacts, runs: LoadResult[]): Check[] {
  const ok = runs.reduce((n, r) => n + r.ok, 0);
  return [
    check('no ticket admitted twice', facts.admittedTwice, 0),
    check('scan rows = scans answered', facts.scans, ok),
    check(
      'admitted rows = admitted answers',
      facts.admitted,
      answered(runs, (l) => l === 'admitted'),
    ),
    check(
      'reentry rows = reentry answers',
      facts.reentry,
      answered(runs, (l) => l === 'reentry'),
    ),
    check(
      'rejected rows = rejected answers',
      facts.rejected,
      answered(runs, (l) => l.startsWith('rejected')),
    ),
    check('checked-in tickets = admitted rows', facts.checkedIn, facts.admitted),
  ];
}

export function buyChecks(facts: BuyFacts, run: LoadResult, quantity: number): Check[] {
  return [
    check('paid orders = purchases answered', facts.paidOrders, run.ok),
    check('valid signed tickets = purchases x quantity', facts.validSignedTickets, run.ok * quantity),
  ];
}

/** The table drop: every table held exactly once, everyone else told `table_unavailable`. */
export function dropChecks(facts: DropFacts, run: LoadResult, tables: number): Check[] {
  return [
    check(
      'table drop: holds answered = tables',
      answered([run], (l) => l === 'held'),
      tables,
    ),
    check('table drop: live reservations = tables', facts.liveReservations, tables),
    check('table drop: table orders = tables', facts.tableOrders, tables),
    check('table drop: tables held twice', facts.heldTwice, 0),
    check('table drop: errors other than table_unavailable', run.errors, 0),
  ];
}
