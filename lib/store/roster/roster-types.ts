// Roster entities as the store keeps them. Validated on the way in (coordinator input) and out.
import {
  CHANNEL_NAMES,
  CHECKIN_FORMS,
  CHILD_CATEGORIES,
  CONTACT_ROLES,
  LANGUAGES,
} from '#lib/domain/model.ts';
import * as z from '#lib/zod.ts';

const id = z.lazy(() =>
  z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'ids are 1-64 letters, digits, . _ -')),
);
const hhmm = z.lazy(() => z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')));

export const channelAddressSchema = z.lazy(() =>
  z.object({
    channel: z.enum(CHANNEL_NAMES),
    address: z.string().check(z.minLength(1), z.maxLength(128)),
  }),
);

export const centreSchema = z.lazy(() =>
  z.object({
    centreId: id,
    name: z.string().check(z.minLength(1), z.maxLength(64)),
    village: z.string().check(z.minLength(1), z.maxLength(64)),
    /** Given in help texts. */
    phone: z.string().check(z.minLength(3), z.maxLength(32)),
    /** Bumped by every write; a write is conditional on the version its writer read (lib/store/conditional-write.ts). */
    version: z.optional(z.int().check(z.gte(0))),
  }),
);
export type Centre = z.output<typeof centreSchema>;

/**
 * What the carer agreed may be passed on to the parents, per weekly item. Conservative by
 * default: nothing is shared until agreed.
 */
export const consentSchema = z.lazy(() =>
  z.object({
    attendance: z._default(z.boolean(), false),
    mood: z._default(z.boolean(), false),
    school: z._default(z.boolean(), false),
    health: z._default(z.boolean(), false),
  }),
);
export type Consent = z.output<typeof consentSchema>;

export const childSchema = z.lazy(() =>
  z.object({
    childId: id,
    /** The name the family uses, as the messages say it. */
    name: z.string().check(z.minLength(1), z.maxLength(32)),
    birthYear: z.int().check(z.gte(1990), z.lte(2100)),
    category: z.enum(CHILD_CATEGORIES),
    consent: z._default(consentSchema, { attendance: false, mood: false, school: false, health: false }),
  }),
);
export type Child = z.output<typeof childSchema>;

export const familySchema = z.lazy(() =>
  z.object({
    familyId: id,
    centreId: id,
    /** How the Centre refers to the household, e.g. 李家. */
    name: z.string().check(z.minLength(1), z.maxLength(64)),
    /** The children are written with the family, under this version. */
    children: z.array(childSchema).check(z.maxLength(20)),
    /** Bumped by every write; a write is conditional on the version its writer read (lib/store/conditional-write.ts). */
    version: z.optional(z.int().check(z.gte(0))),
  }),
);
export type Family = z.output<typeof familySchema>;
export type FamilyInput = z.input<typeof familySchema>;

export const contactSchema = z.lazy(() =>
  z.object({
    contactId: id,
    centreId: id,
    /** How messages address or name this person, e.g. 李奶奶. */
    name: z.string().check(z.minLength(1), z.maxLength(64)),
    role: z.enum(CONTACT_ROLES),
    /** Free text for the Centre: grandmother, 爸爸 … */
    relationship: z.optional(z.string().check(z.maxLength(32))),
    language: z.enum(LANGUAGES),
    /**
     * The person's own choice (STOP/TD until START/恢复, or their provider's block): a roster write never
     * sets it; the repository keeps what is stored.
     */
    optedOut: z._default(z.boolean(), false),
    /** When they said stop. */
    optedOutAt: z.optional(z.string()),
    /**
     * `channel:address` of addresses the provider said cannot receive (Twilio 21211/21614): the
     * send worker skips them, coordinators see them.
     */
    invalidAddressKeys: z._default(z.array(z.string().check(z.maxLength(140))).check(z.maxLength(10)), []),
    addresses: z.array(channelAddressSchema).check(z.minLength(1), z.maxLength(10)),
    /**
     * Where messages lianxin starts (invitations, digests, alerts) go when the contact has several
     * addresses. Replies always go back where the person wrote from. Unset: SMS, else the first address.
     */
    preferredChannel: z.optional(z.enum(CHANNEL_NAMES)),
    /** Families whose children this contact answers for (carer) or hears about (parent). */
    familyIds: z._default(z.array(id).check(z.maxLength(10)), []),
    /**
     * How the carer's check-in is asked (lib/domain/one-message-checkin.ts): set by the Centre, or by
     * the carer texting 一条 / 逐条. Unset: step by step, with the one message offered after a few weeks.
     */
    checkinForm: z.optional(z.enum(CHECKIN_FORMS)),
    /** Local time window (Asia/Shanghai) in which non-urgent messages wait. */
    quietHours: z.optional(z.object({ start: hhmm, end: hhmm })),
    /** When the weekly check-in is sent: ISO weekday 1 (Mon) … 7 (Sun) and local time. */
    checkinAt: z.optional(z.object({ weekday: z.int().check(z.gte(1), z.lte(7)), time: hhmm })),
    /** Bumped by every write; a write is conditional on the version its writer read (lib/store/conditional-write.ts). */
    version: z.optional(z.int().check(z.gte(0))),
  }),
);
export type Contact = z.output<typeof contactSchema>;
export type ContactInput = z.input<typeof contactSchema>;
