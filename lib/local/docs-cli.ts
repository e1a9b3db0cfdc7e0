// npm run docs: rewrites the generated parts of docs/ (configuration from lib/config/catalog.ts, the
// coordinators' API from its OpenAPI document) between their markers; the text around them stays.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GENERATED_PARTS } from '#lib/local/docs/generated-docs.ts';
import { replaceGeneratedSection } from '#lib/local/docs/generated-sections.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

for (const part of GENERATED_PARTS) {
  const path = `${root}${part.file}`;
  const before = await readFile(path, 'utf8');
  const after = replaceGeneratedSection(before, part.section, part.render());
  if (after === before) {
    console.log(`${part.file}: ${part.section} is up to date`);
  } else {
    await writeFile(path, after);
    console.log(`${part.file}: ${part.section} rewritten`);
  }
}
