/** The parser has no types of its own: its output, as its README describes it (prom2json's shape). */
declare module 'parse-prometheus-text-format' {
  export interface PromSample {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  export interface PromFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: PromSample[];
  }
  // The package's own shape (CommonJS, one function as its export): not ours to name.
  // eslint-disable-next-line no-restricted-syntax
  export default function parsePrometheusTextFormat(text: string): PromFamily[];
}
