// The documents stay true to the code: generated parts match a fresh generation, every relative link
// and anchor resolves, and every configuration schema in lib/config/ is in the catalog they come from.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_CATALOG } from '#lib/config/catalog.ts';
import { LOCAL_DEFAULTS } from '#lib/config/local-defaults.ts';
import { configurationSection } from '#lib/local/docs/configuration-doc.ts';
import { GENERATED_PARTS } from '#lib/local/docs/generated-docs.ts';
import {
  beginMarker,
  endMarker,
  generatedSection,
  replaceGeneratedSection,
} from '#lib/local/docs/generated-sections.ts';
import { fieldRows, typeText } from '#lib/local/docs/json-schema-text.ts';
import { cell, headingAnchors, linkTargets } from '#lib/local/docs/markdown.ts';
import * as z from '#lib/zod.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** README.md, every Markdown file under docs/, and infra/README.md if there is one. */
function documents(): string[] {
  const docs = readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  return ['README.md', ...docs, ...(existsSync(join(root, 'infra/README.md')) ? ['infra/README.md'] : [])];
}

describe('generated documents', () => {
  it.each(GENERATED_PARTS.map((p) => [p.file, p]))('%s is up to date (else: npm run docs)', (_, part) => {
    expect(generatedSection(read(part.file), part.section)).toBe(part.render().replace(/\n+$/, ''));
  });

  it('rewrites only between the markers, so the hand-written text around them stays', () => {
    const doc = `# Title\n\nBefore.\n\n${beginMarker('x')}\nold\n${endMarker('x')}\n\nAfter.\n`;
    const next = replaceGeneratedSection(doc, 'x', 'new\ntable\n');
    expect(next).toBe(`# Title\n\nBefore.\n\n${beginMarker('x')}\nnew\ntable\n${endMarker('x')}\n\nAfter.\n`);
    expect(generatedSection(next, 'x')).toBe('new\ntable');
    expect(replaceGeneratedSection(next, 'x', 'new\ntable')).toBe(next);
    expect(() => replaceGeneratedSection('# no markers', 'x', 'new')).toThrow(/no "x" markers/);
  });

  it('documents every variable of every schema, with its description', () => {
    const section = configurationSection(CONFIG_CATALOG);
    for (const { schema } of CONFIG_CATALOG) {
      for (const [name, field] of Object.entries(schema.shape as Record<string, z.core.$ZodType>)) {
        const row = section.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
        expect(row, name).toBeDefined();
        const description = z.globalRegistry.get(field)?.description;
        expect(description, `${name} has no description`).toBeTruthy();
        expect(row).toContain(description?.split('|')[0]);
      }
    }
  });

  it('marks required what the schema requires, and shows zod defaults and local defaults', () => {
    const section = configurationSection(CONFIG_CATALOG, { PUBLIC_URL: 'http://localhost:3999' });
    const row = (name: string) => section.split('\n').find((l) => l.startsWith(`| \`${name}\` |`)) ?? '';
    expect(row('TABLE_NAME')).toMatch(/^\| `TABLE_NAME` \| yes \|/);
    expect(row('DYNAMODB_ENDPOINT')).toMatch(/^\| `DYNAMODB_ENDPOINT` \| no \|/);
    expect(row('API_MAX_BODY_BYTES')).toMatch(/\| no \| `16384` \|/);
    expect(row('PUBLIC_URL')).toContain('`http://localhost:3999`');
  });
});

describe('the configuration catalog', () => {
  it('names, for each schema, the module that exports it', async () => {
    for (const entry of CONFIG_CATALOG) {
      const module = (await import(`#${entry.module}`)) as Record<string, unknown>;
      expect(module[entry.exportName], `${entry.module} ${entry.exportName}`).toBe(entry.schema);
    }
  });

  it('holds every environment schema exported in lib/config/', async () => {
    const listed = new Set<unknown>(CONFIG_CATALOG.map((e) => e.schema));
    const files = readdirSync(join(root, 'lib/config')).filter((f) => f.endsWith('.ts'));
    let found = 0;
    for (const file of files) {
      const module = (await import(`#lib/config/${file}`)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        if (!name.endsWith('EnvSchema') || !(value instanceof z.ZodMiniObject)) continue;
        found++;
        expect(listed.has(value), `lib/config/${file} ${name} is not in lib/config/catalog.ts`).toBe(true);
      }
    }
    expect(found).toBeGreaterThanOrEqual(CONFIG_CATALOG.length);
  });

  it('has a schema for every local default', () => {
    const variables = new Set(CONFIG_CATALOG.flatMap((e) => Object.keys(e.schema.shape)));
    for (const name of Object.keys(LOCAL_DEFAULTS)) expect(variables.has(name), name).toBe(true);
  });
});

describe('the documents', () => {
  it('include README.md and the docs/ folder', () => {
    expect(documents()).toContain('README.md');
    expect(documents()).toContain(join('docs', 'api.md'));
  });

  it.each(documents())('%s: every relative link leads to a file, and every #anchor to a heading', (file) => {
    const text = read(file);
    const broken: string[] = [];
    for (const target of linkTargets(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
      const [path = '', hash] = target.split('#');
      const resolved = path === '' ? join(root, file) : join(root, dirname(file), decodeURIComponent(path));
      if (!existsSync(resolved) || !relative(root, resolved) || relative(root, resolved).startsWith('..')) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (hash !== undefined && resolved.endsWith('.md')) {
        const anchors = headingAnchors(readFileSync(resolved, 'utf8'));
        if (!anchors.has(decodeURIComponent(hash))) broken.push(`${target}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the code layout in docs/architecture.md names every top-level folder and every folder of lib/', () => {
    const architecture = read('docs/architecture.md');
    const layout = /## Code layout\n+```\n([\s\S]*?)```/.exec(architecture)?.[1] ?? '';
    // Folders git ignores (node_modules/, cdk.out/ …) are not part of the code.
    const ignored = new Set(
      read('.gitignore')
        .split('\n')
        .map((l) => l.trim().replace(/\/$/, ''))
        .filter(Boolean),
    );
    const folders = (dir: string) =>
      readdirSync(join(root, dir), { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !ignored.has(e.name))
        .map((e) => e.name);
    const missing = [...folders('.'), ...folders('lib')].filter(
      (name) => !new RegExp(`(^|\\s)${name}/`, 'm').test(layout),
    );
    expect(layout).not.toBe('');
    expect(missing).toEqual([]);
  });

  it.each(documents())('%s: does not promise existing work for "a later issue"', (file) => {
    const lines = read(file).split('\n');
    expect(lines.filter((line) => /later issue/i.test(line))).toEqual([]);
  });
});

describe('the Markdown helpers', () => {
  it('find links outside code, and anchors as GitHub makes them', () => {
    const text = [
      '# Sending: the life of a message',
      '## GET /api/tasks/{id}/acknowledge',
      '## Same',
      '## Same',
      'See [a](docs/a.md#x) and ![b](b.png), not `[c](c.md)`:',
      '```',
      '[d](d.md)',
      '# not a heading',
      '```',
    ].join('\n');
    expect(linkTargets(text)).toEqual(['docs/a.md#x', 'b.png']);
    expect([...headingAnchors(text)]).toEqual([
      'sending-the-life-of-a-message',
      'get-apitasksidacknowledge',
      'same',
      'same-1',
    ]);
  });
});

describe('JSON Schema in a few words', () => {
  const json = (schema: z.core.$ZodType) =>
    z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;

  it('says what zod schemas accept', () => {
    expect(typeText(json(z.coerce.number().check(z.int(), z.gte(1), z.lte(365))))).toBe('integer 1–365');
    expect(typeText(json(z.number().check(z.int())))).toBe('integer');
    expect(typeText(json(z.enum(['aws', 'local'])))).toBe('"aws" or "local"');
    expect(typeText(json(z.url()))).toBe('URL');
    expect(typeText(json(z.string().check(z.minLength(1))))).toBe('string, not empty');
    expect(typeText(json(z.string().check(z.minLength(1), z.maxLength(500))))).toBe(
      'string (1–500 characters)',
    );
    expect(typeText(json(z.string().check(z.regex(/^AC[0-9]{2}$/))))).toBe('string matching `^AC[0-9]{2}$`');
    expect(typeText(json(z.array(z.string()).check(z.maxLength(3))))).toBe('array of string (≤ 3 items)');
    expect(typeText(json(z.record(z.string(), z.number())))).toBe('map of number');
    expect(typeText(json(z.nullable(z.object({ a: z.string() }))))).toBe('object or null');
  });

  it('flattens nested fields, and keeps required, defaults and descriptions', () => {
    const schema = z.object({
      name: z.string().check(z.describe('The family name')),
      children: z.array(z.object({ name: z.string(), consent: z._default(z.array(z.string()), []) })),
      closed: z.optional(z.nullable(z.object({ at: z.string() }))),
    });
    expect(fieldRows(json(schema))).toEqual([
      { name: 'name', type: 'string', required: true, description: 'The family name', default: undefined },
      {
        name: 'children',
        type: 'array of object',
        required: true,
        description: undefined,
        default: undefined,
      },
      { name: 'children[].name', type: 'string', required: true, description: undefined, default: undefined },
      {
        name: 'children[].consent',
        type: 'array of string',
        required: false,
        description: undefined,
        default: [],
      },
      { name: 'closed', type: 'object or null', required: false, description: undefined, default: undefined },
      { name: 'closed.at', type: 'string', required: true, description: undefined, default: undefined },
    ]);
  });

  it('keeps table cells on one line and their pipes escaped', () => {
    expect(cell('a | b\n  c')).toBe('a \\| b c');
  });
});
