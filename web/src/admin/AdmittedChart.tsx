import { clockTime } from '../lib/format.js';
import { t } from '../lib/i18n.js';

const QUARTER_MS = 15 * 60_000;

const quarterOf = (ms: number) => ms - (ms % QUARTER_MS);

/**
 * Every quarter hour from the doors opening (or the first arrival, if earlier) to now (or the last
 * arrival), quiet ones as 0: the night's shape, growing as it goes.
 */
function everyQuarter(
  counted: Array<{ at: string; admitted: number }>,
  span: { from?: string | undefined; until?: string | undefined },
): Array<{ at: string; admitted: number }> {
  if (!counted.length) return [];
  const by = new Map(counted.map((b) => [Date.parse(b.at), b.admitted]));
  const first = Math.min(Date.parse(counted[0]!.at), span.from ? quarterOf(Date.parse(span.from)) : Infinity);
  const last = Math.max(
    Date.parse(counted[counted.length - 1]!.at),
    span.until ? quarterOf(Date.parse(span.until)) : -Infinity,
  );
  const out = [];
  for (let t = first; t <= last && out.length < 200; t += QUARTER_MS)
    out.push({ at: new Date(t).toISOString(), admitted: by.get(t) ?? 0 });
  return out;
}

/** First entries per quarter hour as bars: when the door was busy. */
export function AdmittedChart({
  buckets: counted,
  from,
  until,
}: {
  buckets: Array<{ at: string; admitted: number }>;
  from?: string;
  until?: string;
}) {
  const buckets = everyQuarter(counted, { from, until });
  const max = Math.max(1, ...buckets.map((b) => b.admitted));
  const w = 24;
  const h = 120;
  return (
    <svg
      class="admitted-chart"
      viewBox={`0 0 ${Math.max(buckets.length, 4) * w} ${h + 20}`}
      role="img"
      aria-label={t('dash.chartLabel', {
        counts: buckets.map((b) => `${clockTime(b.at)} ${b.admitted}`).join(', '),
      })}
    >
      {buckets.map((b, i) => {
        const bh = b.admitted ? Math.max(2, (b.admitted / max) * h) : 0;
        return (
          <g key={b.at}>
            <rect x={i * w + 3} y={h - bh} width={w - 6} height={bh} rx="3" />
            {(i % 4 === 0 || buckets.length <= 6) && (
              <text x={i * w + w / 2} y={h + 14} text-anchor="middle">
                {clockTime(b.at)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
