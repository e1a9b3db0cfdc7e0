// docs/configuration.md's generated part: every variable of every schema in lib/config/catalog.ts,
// with its .describe() text, whether the schema requires it, its default, and its local default
// (lib/config/local-defaults.ts, through withLocalDefaults as the code applies it).
import type { ConfigConcern } from '#lib/config/catalog.ts';
import { type Env, withLocalDefaults } from '#lib/config/parse-env.ts';
import * as z from '#lib/zod.ts';
import { type JsonSchema, typeText } from './json-schema-text.ts';
import { cell, code } from './markdown.ts';

/** Local values longer than this are abridged in the table (the full value is in the source). */
const MAX_LOCAL_VALUE = 48;

export function configurationSection(
  catalog: readonly ConfigConcern[],
  localEnv: Env = withLocalDefaults({ LIANXIN_ENV: 'local' }),
): string {
  const out: string[] = [];
  out.push('| concern | schema | variables | read by |', '|---|---|---|---|');
  for (const entry of catalog) {
    const own = ownVariables(entry, catalog).length;
    const included = includedConcerns(entry, catalog).map((o) => ` + ${o.concern}'s`);
    out.push(
      `| [${entry.concern}](#${entry.concern}) | ${code(entry.exportName)} in [${entry.module}](../${entry.module}) | ${own}${included.join('')} | ${cell(entry.readBy)} |`,
    );
  }
  for (const entry of catalog) {
    out.push('', `### ${entry.concern}`, '');
    out.push(`${code(entry.exportName)} in [${entry.module}](../${entry.module}). ${entry.readBy}`);
    const included = includedConcerns(entry, catalog);
    const own = new Set(ownVariables(entry, catalog));
    if (included.length > 0) {
      out.push(
        '',
        `It includes every variable of ${included.map((o) => `[${o.concern}](#${o.concern})`).join(', ')} (listed there).`,
      );
    }
    const json = z.toJSONSchema(entry.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    out.push(
      '',
      '| variable | required | default | local default | type | meaning |',
      '|---|---|---|---|---|---|',
    );
    for (const [name, property] of Object.entries(properties)) {
      if (!own.has(name)) continue;
      const local = localEnv[name];
      out.push(
        [
          '',
          code(name),
          required.has(name) ? 'yes' : 'no',
          'default' in property ? code(String(property.default)) : '',
          local === undefined ? '' : code(abridge(local)),
          cell(typeText(property)),
          cell(typeof property.description === 'string' ? property.description : ''),
          '',
        ]
          .join(' | ')
          .trim(),
      );
    }
  }
  return out.join('\n');
}

/**
 * The other concerns whose every variable this one carries as the very same zod field (a spread
 * `.shape`, as core spreads wechat's), so each variable is described once, under its own concern.
 */
function includedConcerns(entry: ConfigConcern, catalog: readonly ConfigConcern[]): ConfigConcern[] {
  const own = entry.schema.shape as Record<string, unknown>;
  return catalog.filter((other) => {
    if (other === entry) return false;
    const theirs = Object.entries(other.schema.shape as Record<string, unknown>);
    return theirs.length < Object.keys(own).length && theirs.every(([k, field]) => own[k] === field);
  });
}

/** The variables a concern declares itself, not through an included concern. */
function ownVariables(entry: ConfigConcern, catalog: readonly ConfigConcern[]): string[] {
  const included = new Set(includedConcerns(entry, catalog).flatMap((o) => Object.keys(o.schema.shape)));
  return Object.keys(entry.schema.shape).filter((name) => !included.has(name));
}

function abridge(value: string): string {
  return value.length > MAX_LOCAL_VALUE ? `${value.slice(0, MAX_LOCAL_VALUE - 1)}…` : value;
}
