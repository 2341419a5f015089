import { useRef, useState } from 'preact/hooks';
import { FloorPlan, type FloorTable } from '../ui/FloorPlan.js';
import type { DraftTable } from './event-draft.js';
import { clampX, clampY, GRID, ROOM } from './floor-geometry.js';
import { t } from '../lib/i18n.js';

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
        {zoomed ? t('editor.floor.whole') : t('editor.floor.zoom')}
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
          const table = tables.find((x) => x.key === selectedKey);
          const step = { ArrowLeft: [-GRID, 0], ArrowRight: [GRID, 0], ArrowUp: [0, -GRID], ArrowDown: [0, GRID] }[
            e.key
          ];
          if (!table || !step) return;
          e.preventDefault();
          onMove(table.key, clampX(table.x + step[0]!), clampY(table.y + step[1]!));
        }}
      >
        <FloorPlan
          tables={shown}
          box={ROOM}
          selectedId={selectedKey}
          title={t('editor.floor.title')}
          svgRef={(el) => (svg.current = el)}
          onSelect={(table) => onSelect(table.id)}
          countsOf={(table) => t('picker.people', { count: table.capacity })}
          onPointerDownTable={(table, e) => {
            const p = toRoom(e);
            if (!p) return;
            e.preventDefault();
            (e.currentTarget as Element | null)?.closest('.floor-editor')?.setPointerCapture?.(e.pointerId);
            onSelect(table.id);
            setDrag({ key: table.id, dx: p.x - table.x, dy: p.y - table.y, pointerId: e.pointerId });
          }}
          renderExtra={() => null}
        />
      </div>
      <p class="faint small">{t('editor.floor.how')}</p>
    </div>
  );
}
