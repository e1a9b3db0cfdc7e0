// The roster as the API shows it (types from the API's zod schemas).
import type { contactView, familyView } from '#lib/api/roster-api.ts';
import type * as z from '#lib/zod.ts';
import { useGet } from './api.ts';

export type FamilyView = z.output<typeof familyView>;
export type ContactView = z.output<typeof contactView>;

export function useRoster(centreId: string) {
  const q = `centre=${encodeURIComponent(centreId)}`;
  const families = useGet<{ families: FamilyView[] }>(centreId ? `/api/families?${q}` : undefined);
  const contacts = useGet<{ contacts: ContactView[] }>(centreId ? `/api/contacts?${q}` : undefined);
  return { families, contacts };
}

/** The phone number to call for a contact (their first working SMS number). */
export function phoneOf(contact: ContactView | undefined): string | undefined {
  return contact?.addresses.find((a) => a.channel === 'sms' && !a.invalid)?.address;
}
