import { useRef, useState } from 'preact/hooks';
import { FloorPlan, type FloorTable } from '../ui/FloorPlan.js';
import type { DraftTable } from './event-draft.js';
import { clampX, clampY, GRID, ROOM } from './floor-geometry.js';

/**
 * The floor plan editor: the same SVG as the live floor plan, with tables dragged (mouse, touch or
 * pen) and snapped to a 20-unit grid, or moved with the arrow keys once selected.
 */
export function FloorEditor({
  tables,
  capacities,
  selectedKey,
  onSelect,
  onMove,
}: {
  tables: DraftTable[];
  capacities: Map<string, number>;
  selectedKey: string | null;
  onSelect: (key: string | null) => void;
  onMove: (key: string, x: number, y: number) => void;
}) {
  const svg = useRef<SVGSVGElement | null>(null);
  const [drag, setDrag] = useState<{ key: string; dx: number; dy: number; pointerId: number } | null>(null);
  /** On a phone the whole room fits the screen; zoomed in, it keeps a workable size and scrolls sideways. */
  const [zoomed, setZoomed] = useState(false);

  const toRoom = (e: PointerEvent) => {
    const ctm = svg.current?.getScreenCTM();
    if (!ctm) return null;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    return { x: p.x, y: p.y };
  };

  const shown: FloorTable[] = tables.map((t) => ({
    id: t.key,
    number: t.number,
    tier: t.tier,
    capacity: capacities.get(t.tier) ?? 0,
    x: t.x,
    y: t.y,
    status: t.locked ? 'reserved' : 'available',
    reservation_id: null,
    guests_linked: 0,
    guests_arrived: 0,
    host_arrived: false,
  }));

  return (
    <div class="stack tight">
      <button
        class="btn ghost small zoom-toggle"
        type="button"
        aria-pressed={zoomed}
        onClick={() => setZoomed(!zoomed)}
      >
        {zoomed ? 'Show the whole room' : 'Zoom in to place tables'}
      </button>
      {/* Dragging follows the pointer across the whole room; each table also moves with the arrow keys. */}
      <div
        role="presentation"
        class={`floor-editor${drag ? ' dragging' : ''}${zoomed ? ' zoomed' : ''}`}
        onPointerMove={(e) => {
          if (!drag || e.pointerId !== drag.pointerId) return;
          const p = toRoom(e);
          if (p) onMove(drag.key, clampX(p.x - drag.dx), clampY(p.y - drag.dy));
        }}
        onPointerUp={() => setDrag(null)}
        onPointerCancel={() => setDrag(null)}
        onKeyDown={(e) => {
          const t = tables.find((x) => x.key === selectedKey);
          const step = { ArrowLeft: [-GRID, 0], ArrowRight: [GRID, 0], ArrowUp: [0, -GRID], ArrowDown: [0, GRID] }[
            e.key
          ];
          if (!t || !step) return;
          e.preventDefault();
          onMove(t.key, clampX(t.x + step[0]!), clampY(t.y + step[1]!));
        }}
      >
        <FloorPlan
          tables={shown}
          box={ROOM}
          selectedId={selectedKey}
          title="Floor plan editor: drag the tables"
          svgRef={(el) => (svg.current = el)}
          onSelect={(t) => onSelect(t.id)}
          countsOf={(t) => `${t.capacity} people`}
          onPointerDownTable={(t, e) => {
            const p = toRoom(e);
            if (!p) return;
            e.preventDefault();
            (e.currentTarget as Element | null)?.closest('.floor-editor')?.setPointerCapture?.(e.pointerId);
            onSelect(t.id);
            setDrag({ key: t.id, dx: p.x - t.x, dy: p.y - t.y, pointerId: e.pointerId });
          }}
          renderExtra={() => null}
        />
      </div>
      <p class="faint small">
        Drag a table to place it (it snaps to a grid); with a table selected, the arrow keys move it too.
      </p>
    </div>
  );
}
