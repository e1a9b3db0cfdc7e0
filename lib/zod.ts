// The zod the project's code uses: its mini API, whose functions tree-shake, with English messages.
// zod's classic API hangs every method on each schema's prototype, so a bundle carries and compiles
// all of them (about 100 KB, 13-15 ms of every cold start); the mini API carries what is called.
// Import it as `import * as z from '#lib/zod.ts'`: esbuild keeps only the functions used.
import { en } from 'zod/locales';
import { config, type core } from 'zod/mini';

// The classic API sets English on its first schema; the mini API leaves messages unset ("Invalid input").
config(en());

export * from 'zod/mini';

/**
 * A transform's `ctx.addIssue({ code: 'custom', message })` in the classic API: the mini API's
 * transforms get the bare parse payload, which has no addIssue.
 */
export function addCustomIssue(ctx: core.ParsePayload, message: string): void {
  ctx.issues.push({ code: 'custom', message, input: ctx.value });
}
