import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest, longest first (measured on a fresh clone: about 160, 90, 85, 85,
 * 70, 65, 50 and 45 s on the embedded database). Vitest orders files by the durations it cached
 * on an earlier run, and by size when it has none, as on CI's fresh clone: there the slowest file
 * started last and ran alone for minutes with the other worker idle. Started first, they overlap
 * with everything else. A file not named here keeps vitest's own order, after these.
 */
const SLOWEST = [
  /\/https-renewal\.test\.ts$/,
  /\/https-acme\.test\.ts$/,
  /\/https-own-cert\.test\.ts$/,
  /\/backup-live\.test\.ts$/,
  /\/cli\.test\.ts$/,
  /\/backup-cli\.test\.ts$/,
  /\/door-app\.browser\.test\.ts$/,
  /\/owner-dashboard\.browser\.test\.ts$/,
  /\/access-matrix\.test\.ts$/,
  /\/data-dir-lock\.test\.ts$/,
  /\/backup-restore\.test\.ts$/,
  /\/fuzz\.test\.ts$/,
  /\/buyer-pages\.browser\.test\.ts$/,
  /\/disk-full\.fault\.test\.ts$/,
];

export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOWEST.findIndex((r) => r.test(f.moduleId));
      return i === -1 ? SLOWEST.length : i;
    };
    // Array sort is stable: files of equal rank keep vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
