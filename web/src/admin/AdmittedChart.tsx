import { clockTime } from '../lib/format.js';

/** First entries per quarter hour as bars: when the door was busy. */
export function AdmittedChart({ buckets }: { buckets: Array<{ at: string; admitted: number }> }) {
  const max = Math.max(1, ...buckets.map((b) => b.admitted));
  const w = 24;
  const h = 120;
  return (
    <svg class="admitted-chart" viewBox={`0 0 ${Math.max(buckets.length, 4) * w} ${h + 20}`} role="img" aria-label={`Admitted per quarter hour: ${buckets.map((b) => `${clockTime(b.at)} ${b.admitted}`).join(', ')}`}>
      {buckets.map((b, i) => {
        const bh = Math.max(2, (b.admitted / max) * h);
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
