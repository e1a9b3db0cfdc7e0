// Which documents have generated parts, and what goes in them: the one list `npm run docs` writes
// and the documents' unit test checks.
import { CONFIG_CATALOG } from '#lib/config/catalog.ts';
import { apiSection } from './api-doc.ts';
import { configurationSection } from './configuration-doc.ts';

export interface GeneratedPart {
  /** Relative to the repository root. */
  file: string;
  /** The markers' name. */
  section: string;
  render(): string;
}

export const GENERATED_PARTS: readonly GeneratedPart[] = [
  {
    file: 'docs/configuration.md',
    section: 'configuration',
    render: () => configurationSection(CONFIG_CATALOG),
  },
  { file: 'docs/api.md', section: 'api', render: () => apiSection() },
];
