import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../src/db/dir-lock.js';
import { migratedDataDir } from './support/database.js';
import { runVelvet } from './support/process.js';

/**
 * The embedded database's directory belongs to one live process (src/db/dir-lock.ts): a second
 * process is refused whatever path it uses, and a process that died (SIGKILL included) leaves
 * nothing behind, so a restart straight after it opens the directory at once.
 */
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'velvet-lock-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const embedded = (dir: string) => ({ VELVET_DATA_DIR: dir, DATABASE_URL: undefined, PORT: '0' });

describe('the data directory lock, in one process', () => {
  it('is refused while held, through any path to the directory, and free once released', async () => {
    const real = join(root, 'held');
    mkdirSync(real);
    const link = join(root, 'held-link');
    symlinkSync(real, link);
    const lock = await lockDataDir(real);
    await expect(lockDataDir(real)).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(lockDataDir(link)).rejects.toThrow(`(pid ${process.pid}, running since`);
    await expect(lockDataDir(join(root, '.', 'held'))).rejects.toBeInstanceOf(DataDirLockedError);
    await lock.release();
    const again = await lockDataDir(link);
    expect(again.dir).toBe(lock.dir);
    await again.release();
  });

  it('names a directory that does not exist yet by where its symlink points', async () => {
    const target = join(root, 'later');
    const link = join(root, 'later-link');
    symlinkSync(target, link);
    const lock = await lockDataDir(link);
    expect(lock.dir).toBe(target);
    await expect(lockDataDir(target)).rejects.toBeInstanceOf(DataDirLockedError);
    await lock.release();
  });
});

describe('the data directory lock, across processes', () => {
  it(
    'a second process is refused while the server runs, naming it; a symlinked data directory serves',
    { timeout: 120_000 },
    async () => {
      const real = join(root, 'served');
      const link = join(root, 'served-link');
      symlinkSync(real, link);
      const server = runVelvet(['serve'], embedded(link));
      try {
        await server.waitFor(/listening on/, 90_000);
        const intruder = runVelvet(
          ['user', 'add', '--email', 'x@lock.test', '--password', 'long-enough-1', '--role', 'staff'],
          embedded(real),
        );
        expect(await intruder.exited).toBe(1);
        expect(intruder.output()).toContain(`Another Velvet process (pid ${server.child.pid}, running since`);
        expect(intruder.output()).not.toContain('[object Object]');
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    },
  );

  it(
    'is free the moment its holder is killed: a restart straight after SIGKILL opens the directory',
    { timeout: 120_000 },
    async () => {
      const dir = join(root, 'killed');
      await migratedDataDir(dir);
      const server = runVelvet(['serve'], embedded(dir));
      await server.waitFor(/listening on/, 90_000);
      server.child.kill('SIGKILL');
      await server.exited;
      // No stale lock to wait out (a timestamp lock refused this for 15 s).
      const restart = runVelvet(['migrate'], embedded(dir));
      expect(await restart.exited, restart.output()).toBe(0);
    },
  );
});
