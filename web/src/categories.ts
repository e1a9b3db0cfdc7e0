import type { MessageKey } from './messages.ts';

/** The child categories as the API names them, with their label and chart colour. */
export const CATEGORIES: {
  id: 'both-away' | 'one-away' | 'with-parents';
  label: MessageKey;
  color: string;
}[] = [
  { id: 'both-away', label: 'catBothAway', color: '#b4232a' },
  { id: 'one-away', label: 'catOneAway', color: '#1f5fa8' },
  { id: 'with-parents', label: 'catWithParents', color: '#2e7d32' },
];
