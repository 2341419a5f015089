/** The room as the floor plan draws it, and where a table may stand in it (its centre, snapped to the grid). */
export const ROOM = { x: 0, y: 0, w: 960, h: 560 };
export const GRID = 20;
const HALF_W = 56;
const HALF_H = 42;

const snap = (v: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(v / GRID) * GRID));
export const clampX = (x: number) => snap(x, ROOM.x + HALF_W + GRID, ROOM.x + ROOM.w - HALF_W - GRID);
export const clampY = (y: number) => snap(y, ROOM.y + HALF_H + GRID, ROOM.y + ROOM.h - HALF_H - GRID);

/** The first free spot, row by row from the top left, so a new table never lands on another. */
export function freeSpot(tables: ReadonlyArray<{ x: number; y: number }>): { x: number; y: number } {
  let x = clampX(100);
  let y = clampY(100);
  const taken = (px: number, py: number) => tables.some((t) => Math.abs(t.x - px) < 140 && Math.abs(t.y - py) < 110);
  for (let i = 0; taken(x, y) && i < 200; i++) {
    x = clampX(x + 160);
    if (x >= clampX(10_000)) {
      x = clampX(100);
      y = clampY(y + 140);
    }
  }
  return { x, y };
}
