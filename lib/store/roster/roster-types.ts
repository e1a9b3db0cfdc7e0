// Roster entities as the store keeps them. Validated on the way in (coordinator input) and out.
import * as z from 'zod';
import {
  CHANNEL_NAMES,
  CHECKIN_FORMS,
  CHILD_CATEGORIES,
  CONTACT_ROLES,
  LANGUAGES,
} from '#lib/domain/model.ts';

const id = z.lazy(() => z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'ids are 1-64 letters, digits, . _ -'));
const hhmm = z.lazy(() => z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'));

export const channelAddressSchema = z.lazy(() =>
  z.object({
    channel: z.enum(CHANNEL_NAMES),
    address: z.string().min(1).max(128),
  }),
);

export const centreSchema = z.lazy(() =>
  z.object({
    centreId: id,
    name: z.string().min(1).max(64),
    village: z.string().min(1).max(64),
    /** Given in help texts. */
    phone: z.string().min(3).max(32),
    /** Bumped by every write; a write is conditional on the version its writer read (lib/store/conditional-write.ts). */
    version: z.number().int().min(0).optional(),
  }),
);
export type Centre = z.output<typeof centreSchema>;

/**
 * What the carer agreed may be passed on to the parents, per weekly item. Conservative by
 * default: nothing is shared until agreed.
 */
export const consentSchema = z.lazy(() =>
  z.object({
    attendance: z.boolean().default(false),
    mood: z.boolean().default(false),
    school: z.boolean().default(false),
    health: z.boolean().default(false),
  }),
);
export type Consent = z.output<typeof consentSchema>;

export const childSchema = z.lazy(() =>
  z.object({
    childId: id,
    /** The name the family uses, as the messages say it. */
    name: z.string().min(1).max(32),
    birthYear: z.number().int().min(1990).max(2100),
    category: z.enum(CHILD_CATEGORIES),
    consent: consentSchema.default({ attendance: false, mood: false, school: false, health: false }),
  }),
);
export type Child = z.output<typeof childSchema>;

export const familySchema = z.lazy(() =>
  z.object({
    familyId: id,
    centreId: id,
    /** How the Centre refers to the household, e.g. 李家. */
    name: z.string().min(1).max(64),
    /** The children are written with the family, under this version. */
    children: z.array(childSchema).max(20),
    /** Bumped by every write; a write is conditional on the version its writer read (lib/store/conditional-write.ts). */
    version: z.number().int().min(0).optional(),
  }),
);
export type Family = z.output<typeof familySchema>;
export type FamilyInput = z.input<typeof familySchema>;

export const contactSchema = z.lazy(() =>
  z.object({
    contactId: id,
    centreId: id,
    /** How messages address or name this person, e.g. 李奶奶. */
    name: z.string().min(1).max(64),
    role: z.enum(CONTACT_ROLES),
    /** Free text for the Centre: grandmother, 爸爸 … */
    relationship: z.string().max(32).optional(),
    language: z.enum(LANGUAGES),
    /**
     * The person's own choice (STOP/TD until START/恢复, or their provider's block): a roster write never
     * sets it; the repository keeps what is stored.
     */
    optedOut: z.boolean().default(false),
    /** When they said stop. */
    optedOutAt: z.string().optional(),
    /**
     * `channel:address` of addresses the provider said cannot receive (Twilio 21211/21614): the
     * send worker skips them, coordinators see them.
     */
    invalidAddressKeys: z.array(z.string().max(140)).max(10).default([]),
    addresses: z.array(channelAddressSchema).min(1).max(10),
    /**
     * Where messages lianxin starts (invitations, digests, alerts) go when the contact has several
     * addresses. Replies always go back where the person wrote from. Unset: SMS, else the first address.
     */
    preferredChannel: z.enum(CHANNEL_NAMES).optional(),
    /** Families whose children this contact answers for (carer) or hears about (parent). */
    familyIds: z.array(id).max(10).default([]),
    /**
     * How the carer's check-in is asked (lib/domain/one-message-checkin.ts): set by the Centre, or by
     * the carer texting 一条 / 逐条. Unset: step by step, with the one message offered after a few weeks.
     */
    checkinForm: z.enum(CHECKIN_FORMS).optional(),
    /** Local time window (Asia/Shanghai) in which non-urgent messages wait. */
    quietHours: z.object({ start: hhmm, end: hhmm }).optional(),
    /** When the weekly check-in is sent: ISO weekday 1 (Mon) … 7 (Sun) and local time. */
    checkinAt: z.object({ weekday: z.number().int().min(1).max(7), time: hhmm }).optional(),
    /** Bumped by every write; a write is conditional on the version its writer read (lib/store/conditional-write.ts). */
    version: z.number().int().min(0).optional(),
  }),
);
export type Contact = z.output<typeof contactSchema>;
export type ContactInput = z.input<typeof contactSchema>;
