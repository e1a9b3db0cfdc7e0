// The demo coordinator's GB PIN, so `GB 4821 …` works in `npm start` out of the box. Local only:
// in AWS a PIN is set through the coordinators' API (POST /api/contacts/{id}/gb-pin).
import { hashPin } from '#lib/broadcasts/gb-pin.ts';
import type { GbPinRepository } from '#lib/store/broadcasts/gb-pin-repository.ts';

export const DEMO_GB_PIN = '4821';
const DEMO_COORDINATOR = { contactId: 'contact-wang-laoshi', centreId: 'centre-shimen' };

export async function seedDemoGbPin(pins: Pick<GbPinRepository, 'set'>, now: Date): Promise<void> {
  await pins.set(
    DEMO_COORDINATOR.contactId,
    DEMO_COORDINATOR.centreId,
    await hashPin(DEMO_GB_PIN),
    'demo',
    now,
  );
}
