import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import lockfile from 'proper-lockfile';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the built web app lives; Velvet serves it from here. */
export const WEB_DIST = join(repoRoot, 'dist', 'web');
const STAMP = '.velvet-source-hash';

/** Everything the bundle is made from: a change to any of these makes the build stale. */
const SOURCES = ['web', 'src/domain', 'src/i18n', 'package-lock.json'];

/**
 * Builds the web app when `dist/web` is missing or was built from other sources, so that
 * `npm ci && npm start` is the whole set-up and nobody is ever served a stale bundle.
 *
 * Algorithm: hash the source tree (paths + contents); if `dist/web/.velvet-source-hash` holds that
 * hash, done. Otherwise take a lock (several servers or test files may start at once), check again,
 * build into a fresh temporary directory, write the stamp, and swap it into place with renames, so
 * a reader never sees a half-written build.
 */
export async function ensureWebBuild(log: (msg: string) => void = () => {}): Promise<string> {
  const hash = sourceHash();
  if (builtHash() === hash) return WEB_DIST;
  mkdirSync(dirname(WEB_DIST), { recursive: true });
  const release = await lockfile.lock(dirname(WEB_DIST), {
    realpath: false,
    lockfilePath: `${WEB_DIST}.lock`,
    stale: 120_000,
    update: 10_000,
    retries: { retries: 600, minTimeout: 200, maxTimeout: 500 },
  });
  try {
    if (builtHash() === hash) return WEB_DIST;
    log('velvet: building the web app (first start, or its sources changed)…');
    const tmp = `${WEB_DIST}.building-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    await viteBuild(tmp);
    precompress(tmp);
    writeFileSync(join(tmp, STAMP), hash);
    const old = `${WEB_DIST}.old-${process.pid}`;
    if (existsSync(WEB_DIST)) renameSync(WEB_DIST, old);
    renameSync(tmp, WEB_DIST);
    rmSync(old, { recursive: true, force: true });
    return WEB_DIST;
  } finally {
    await release();
  }
}

/**
 * Vite runs in a child process: its plugins do not expect the TypeScript loader this process runs
 * under, and the build's memory goes away with the child instead of staying in the server.
 */
function viteBuild(outDir: string): Promise<void> {
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const args = [
    vite,
    'build',
    '--config',
    join(repoRoot, 'web', 'vite.config.ts'),
    '--outDir',
    outDir,
    '--emptyOutDir',
    '--logLevel',
    'warn',
  ];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (code, signal) =>
      code === 0 ? done() : fail(new Error(`building the web app failed (vite exited with ${signal ?? code})`)),
    );
  });
}

const COMPRESSIBLE = /\.(js|css|html|svg|wasm|webmanifest|json)$/;

/** .br and .gz beside each text file and the wasm: served as is (no compression per request). */
function precompress(dir: string): void {
  for (const file of walk(dir)) {
    if (!COMPRESSIBLE.test(file)) continue;
    const body = readFileSync(file);
    if (body.length < 1024) continue;
    writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
  }
}

function builtHash(): string | null {
  try {
    return readFileSync(join(WEB_DIST, STAMP), 'utf8');
  } catch {
    return null;
  }
}

export function sourceHash(): string {
  const h = createHash('sha256');
  for (const source of SOURCES) {
    for (const file of walk(join(repoRoot, source))) {
      h.update(relative(repoRoot, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return h.digest('hex');
}

function walk(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    // Tests beside the domain code do not go into the bundle.
    if (entry.name.endsWith('.test.ts')) continue;
    out.push(...walk(join(path, entry.name)));
  }
  return out;
}
