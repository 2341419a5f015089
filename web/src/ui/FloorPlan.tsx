import type { JSX } from 'preact';
import './floor-plan.css';
import type * as contract from '../lib/contract.js';
import { t } from '../lib/i18n.js';

/** A table as the floor-plan API and stream send it; one drawn from the editor's draft has no party yet (no `no_show`). */
export type FloorTable = Omit<contract.FloorTableView, 'no_show'> & { no_show?: boolean };
export type TableStatus = FloorTable['status'];

const STATUSES: TableStatus[] = ['available', 'held', 'reserved', 'arrived', 'completed'];

/** A table's state in words, in the page's language. */
export const statusLabel = (s: TableStatus) => t(`floor.status.${s}`);

const W = 112;
const H = 84;
const PAD = 40;

/** The room's extent: tables sit at their (x, y) centres, with a margin all round. */
export function viewBoxOf(tables: Array<Pick<FloorTable, 'x' | 'y'>>): { x: number; y: number; w: number; h: number } {
  if (!tables.length) return { x: 0, y: 0, w: 640, h: 360 };
  const xs = tables.map((table) => table.x);
  const ys = tables.map((table) => table.y);
  const minX = Math.min(...xs) - W / 2 - PAD;
  const minY = Math.min(...ys) - H / 2 - PAD;
  const w = Math.max(Math.max(...xs) + W / 2 + PAD - minX, 320);
  const h = Math.max(Math.max(...ys) + H / 2 + PAD - minY, 200);
  return { x: minX, y: minY, w, h };
}

/** What a screen reader hears after the table's visible words: its state in full. */
export function tableDetails(table: FloorTable): string {
  const people =
    table.status === 'available'
      ? t('floor.seats', { count: table.capacity })
      : t('floor.detailsPeople', {
          arrived: table.guests_arrived,
          linked: table.guests_linked,
          capacity: table.capacity,
        });
  const hostArrived = table.status === 'arrived' || table.host_arrived ? 'yes' : 'no';
  return t('floor.details', { status: statusLabel(table.status).toLocaleLowerCase(), hostArrived, people });
}

interface Props {
  tables: FloorTable[];
  selectedId?: string | null;
  onSelect?: (t: FloorTable) => void;
  /** Optional extra drawing per table (e.g. the editor's drag handles). */
  renderExtra?: (t: FloorTable) => JSX.Element | null;
  onPointerDownTable?: (t: FloorTable, e: PointerEvent) => void;
  svgRef?: (el: SVGSVGElement | null) => void;
  title?: string;
  box?: { x: number; y: number; w: number; h: number };
  /** The third line of each table (default: seats, or arrived/linked/capacity once sold). */
  countsOf?: (t: FloorTable) => string;
  /** What a screen reader hears after the table's visible words (default: `tableDetails`). */
  detailsOf?: (t: FloorTable) => string;
}

/**
 * The room as an SVG, the same drawing everywhere (live floor plan, owner's editor, buyer's table
 * picker): each table at its (x, y) with its number, tier and arrived/linked/capacity, coloured by
 * status; the host's arrival marked with a dot.
 */
export function FloorPlan({
  tables,
  selectedId,
  onSelect,
  renderExtra,
  onPointerDownTable,
  svgRef,
  title,
  box,
  countsOf,
  detailsOf,
}: Props) {
  const vb = box ?? viewBoxOf(tables);
  return (
    <svg
      class="floor-plan"
      viewBox={`${vb.x} ${vb.y} ${vb.w} ${vb.h}`}
      role="group"
      aria-label={title ?? t('floor.plan')}
      ref={svgRef}
      preserveAspectRatio="xMidYMid meet"
    >
      <rect class="room" x={vb.x + 4} y={vb.y + 4} width={vb.w - 8} height={vb.h - 8} rx="18" />
      {tables.map((table) => {
        const selected = table.id === selectedId;
        const counts = countsOf
          ? countsOf(table)
          : table.status === 'available' || table.status === 'held'
            ? t('floor.seats', { count: table.capacity })
            : `${table.guests_arrived}/${table.guests_linked}/${table.capacity}`;
        return (
          <g
            key={table.id}
            class={`table t-${table.status}${selected ? ' selected' : ''}${onSelect ? ' clickable' : ''}`}
            transform={`translate(${table.x} ${table.y})`}
            role={onSelect ? 'button' : 'img'}
            // Lower case: on an SVG element Preact sets the attribute as written, and only "tabindex" makes it focusable.
            tabindex={onSelect ? 0 : undefined}
            // The visible words first, in their order (WCAG 2.5.3: a voice user says what they see), then the rest.
            aria-label={t('floor.tableLabel', {
              number: table.number,
              tier: table.tier,
              counts,
              details: (detailsOf ?? tableDetails)(table),
            })}
            aria-pressed={onSelect ? selected : undefined}
            data-table={table.number}
            data-status={table.status}
            onClick={onSelect ? () => onSelect(table) : undefined}
            onKeyDown={
              onSelect
                ? (e: KeyboardEvent) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      onSelect(table);
                    }
                  }
                : undefined
            }
            onPointerDown={onPointerDownTable ? (e: PointerEvent) => onPointerDownTable(table, e) : undefined}
          >
            <rect class="shape" x={-W / 2} y={-H / 2} width={W} height={H} rx="14" />
            <text class="number" aria-hidden="true" x="0" y="-8" text-anchor="middle">
              {table.number}
            </text>{' '}
            <text class="tier" aria-hidden="true" x="0" y="14" text-anchor="middle">
              {table.tier}
            </text>{' '}
            <text class="counts" aria-hidden="true" x="0" y="32" text-anchor="middle">
              {counts}
            </text>{' '}
            {table.host_arrived && <circle class="host-dot" cx={W / 2 - 12} cy={-H / 2 + 12} r="6" />}
            {renderExtra?.(table)}
          </g>
        );
      })}
    </svg>
  );
}

export function FloorLegend() {
  return (
    <div class="legend" aria-label={t('floor.legend')}>
      {STATUSES.map((s) => (
        <span key={s}>
          <span class={`swatch sw-${s}`} aria-hidden="true" />
          {statusLabel(s)}
        </span>
      ))}
      <span>
        <span class="swatch sw-host" aria-hidden="true" />
        {t('floor.legendHost')}
      </span>
      <span class="faint">{t('floor.legendCounts')}</span>
    </div>
  );
}
