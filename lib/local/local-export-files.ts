// `npm start`'s stand-in for the exports bucket: an export too large for a response is written as a
// file under the local server's data directory and served by the local server at a link that holds
// a random token (nothing in it can be guessed from the centre or weeks) and expires like the S3 link.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '#lib/ports/clock.ts';
import type { ExportFiles } from '#lib/ports/export-files.ts';

/** Where the local server serves export files: `/dev/exports/<token>`. */
export const LOCAL_EXPORT_PATH = '/dev/exports/';
const TOKEN = /^[A-Za-z0-9_-]{32}$/;

interface FileMeta {
  name: string;
  expiresAt: string;
}

export type ExportDownload =
  | { status: 200; name: string; body: Buffer }
  | { status: 404 | 410; reason: string };

export class LocalExportFiles implements ExportFiles {
  readonly #dir: string;
  readonly #baseUrl: () => string;
  readonly #linkSeconds: number;
  readonly #clock: Clock;

  /** `baseUrl`: the local server's origin, known once it listens. */
  constructor(opts: { dir: string; baseUrl: () => string; linkSeconds: number; clock: Clock }) {
    this.#dir = opts.dir;
    this.#baseUrl = opts.baseUrl;
    this.#linkSeconds = opts.linkSeconds;
    this.#clock = opts.clock;
  }

  async put(name: string, body: string, now: Date): Promise<{ url: string; expiresAt: string }> {
    const token = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.#linkSeconds * 1000).toISOString();
    await mkdir(this.#dir, { recursive: true });
    await writeFile(join(this.#dir, `${token}.csv`), body, 'utf8');
    await writeFile(join(this.#dir, `${token}.json`), JSON.stringify({ name, expiresAt } satisfies FileMeta));
    return { url: `${this.#baseUrl()}${LOCAL_EXPORT_PATH}${token}`, expiresAt };
  }

  /** The file behind a link: 404 for a token never issued, 410 (and the file removed) once expired. */
  async open(token: string): Promise<ExportDownload> {
    if (!TOKEN.test(token)) return { status: 404, reason: 'no such export' };
    let meta: FileMeta;
    try {
      meta = JSON.parse(await readFile(join(this.#dir, `${token}.json`), 'utf8')) as FileMeta;
    } catch {
      return { status: 404, reason: 'no such export' };
    }
    if (this.#clock.now().getTime() >= Date.parse(meta.expiresAt)) {
      await rm(join(this.#dir, `${token}.csv`), { force: true });
      await rm(join(this.#dir, `${token}.json`), { force: true });
      return { status: 410, reason: 'this export link has expired: export again' };
    }
    return { status: 200, name: meta.name, body: await readFile(join(this.#dir, `${token}.csv`)) };
  }
}
