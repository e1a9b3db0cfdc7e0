import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { ChannelAddress, ChannelName, ChildRef, ContactRole, ContactView } from '#lib/domain/model.ts';
import { preferredAddress } from '#lib/domain/preferred-address.ts';
import { DependencyError, ValidationError, VersionConflictError } from '#lib/errors.ts';
import {
  type Expected,
  failedCondition,
  ifVersion,
  isConditionFailed,
  nextVersion,
  retryOnVersionConflict,
  versionOf,
} from '#lib/store/conditional-write.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { contactViewSchema, parseItem } from '#lib/store/item-schemas.ts';
import { type ItemKey, keys, prefixes } from '#lib/store/keys.ts';
import { queryPartition } from '#lib/store/query-partition.ts';
import {
  type Centre,
  type Child,
  type Contact,
  type ContactInput,
  centreSchema,
  contactSchema,
  type Family,
  type FamilyInput,
  familySchema,
} from '#lib/store/roster/roster-types.ts';
import { type ErasedKind, erasedError, notErased, tombstoneKey } from '#lib/store/roster/tombstones.ts';
import { scheduleWrite } from '#lib/store/schedule/schedule-items.ts';
import { UpdateBuilder } from '#lib/store/update-expression.ts';
import type * as z from '#lib/zod.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface RosterRepositoryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** A contact as listed under a family or centre (membership link item). */
export interface MemberLink {
  contactId: string;
  role: ContactRole;
  name: string;
}

/**
 * Centres, families, children and contacts. Writing a contact also writes the ContactView
 * projection under each of its addresses, which is what a conversation turn reads.
 */
export class RosterRepository {
  /** Every DynamoDB action this class's methods send (lib/store/iam-actions.ts). */
  static readonly awsAccess: AwsAccess = {
    table: [
      // The tombstone check in its transactions (lib/store/roster/tombstones.ts).
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ],
  };

  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(opts: RosterRepositoryOptions) {
    this.#client = opts.client;
    this.#table = opts.tableName;
  }

  /**
   * Writes the centre's settings, conditional on the version read: `input.version` (what the caller
   * read, e.g. the API's update) or, without it, the version read here just before.
   */
  async putCentre(input: z.input<typeof centreSchema>): Promise<Centre> {
    const { version: given, ...fields } = validate(centreSchema, input, 'centre');
    const previous = await this.getCentre(fields.centreId);
    const expected = expectedVersion(given, previous?.version);
    const centre: Centre = { ...fields, version: nextVersion(expected) };
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...keys.centreMeta(centre.centreId), entity: 'centre', ...centre },
          ...ifVersion(expected),
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw new VersionConflictError('the centre was changed meanwhile');
      throw new DependencyError('writing the centre failed', { cause: error });
    }
    // Projections carry the Centre's name and phone (help texts): refresh them when those changed
    // (a Centre of thousands must not be rewritten for a change of its village's spelling).
    if (previous && (previous.name !== centre.name || previous.phone !== centre.phone)) {
      await this.#reproject(await this.listCentreContacts(centre.centreId));
    }
    return centre;
  }

  async getCentre(centreId: string): Promise<Centre | undefined> {
    const item = await this.#get(keys.centreMeta(centreId));
    return item ? parseItem(centreSchema, { ...item, version: versionOf(item) }, 'centre') : undefined;
  }

  /**
   * Writes the family and its children (children no longer listed are removed), then refreshes
   * the projections of the family's contacts so their conversations see the new children.
   */
  async putFamily(input: FamilyInput): Promise<Family> {
    const { version: given, ...fields } = validate(familySchema, input, 'family');
    if (!(await this.getCentre(fields.centreId))) {
      throw new ValidationError(`unknown centre ${fields.centreId}`);
    }
    // The children are written with the family, under its version: one condition covers them all.
    const partition = await this.#query(prefixes.familyPk(fields.familyId));
    const meta = partition.find((i) => i.sk === 'META');
    const previous = partition.filter((i) => String(i.sk).startsWith(prefixes.child));
    const expected = expectedVersion(given, meta ? versionOf(meta) : 'absent');
    const family: Family = { ...fields, version: nextVersion(expected) };
    const kept = new Set(family.children.map((c) => c.childId));
    const items: TransactItem[] = [
      notErased(this.#table, 'family', family.familyId),
      {
        Put: {
          TableName: this.#table,
          Item: {
            ...keys.familyMeta(family.familyId),
            entity: 'family',
            familyId: family.familyId,
            centreId: family.centreId,
            name: family.name,
            version: family.version,
          },
          ...ifVersion(expected),
        },
      },
      {
        Put: {
          TableName: this.#table,
          Item: {
            ...keys.centreFamily(family.centreId, family.familyId),
            entity: 'centre-family',
            familyId: family.familyId,
          },
        },
      },
      ...family.children.map(
        (child): TransactItem => ({
          Put: {
            TableName: this.#table,
            Item: {
              ...keys.familyChild(family.familyId, child.childId),
              entity: 'child',
              familyId: family.familyId,
              centreId: family.centreId,
              ...child,
            },
          },
        }),
      ),
      ...previous
        .filter((item) => !kept.has(String(item.childId)))
        .map(
          (item): TransactItem => ({
            Delete: { TableName: this.#table, Key: { pk: item.pk, sk: item.sk } },
          }),
        ),
    ];
    try {
      await this.#client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (failedCondition(error, 0)) throw erasedError('family');
      if (failedCondition(error, 1)) throw new VersionConflictError('the family was changed meanwhile');
      throw new DependencyError('writing the family failed', { cause: error });
    }
    await this.#reproject(await this.listFamilyContacts(family.familyId));
    return family;
  }

  async getFamily(familyId: string): Promise<Family | undefined> {
    const items = await this.#query(prefixes.familyPk(familyId));
    const meta = items.find((i) => i.sk === 'META');
    if (!meta) return undefined;
    return parseItem(
      familySchema,
      {
        ...meta,
        version: versionOf(meta),
        children: items.filter((i) => String(i.sk).startsWith(prefixes.child)),
      },
      'family',
    );
  }

  /**
   * Writes the canonical contact, its ContactView projection under every address, and its family
   * and centre membership links, in one transaction. Addresses and families dropped since the last
   * write are removed. An address that belongs to another contact is refused.
   *
   * Conditional on the version read: `input.version` (what the caller read: the API, an import) or,
   * without it, the version read here just before. The opt-out is not taken from the input: it is the
   * person's choice (STOP/TD, START/恢复, or the provider's block) and stays as stored.
   */
  async putContact(input: ContactInput): Promise<Contact> {
    const { version, ...contact } = validate(contactSchema, input, 'contact');
    return this.#writeContact(contact, version);
  }

  /** The provider says this contact blocked us (Twilio 21610): nothing more is sent until START. */
  async markOptedOut(contactId: string, at: Date = new Date()): Promise<void> {
    await retryOnVersionConflict(async () => {
      const contact = await this.getContact(contactId);
      if (contact && !contact.optedOut) {
        await this.#writeContact(contact, contact.version, { optedOut: true, optedOutAt: at.toISOString() });
      }
    });
  }

  /** The provider says this address cannot receive messages (Twilio 21211/21614). */
  async markAddressInvalid(contactId: string, addressKey: string): Promise<void> {
    await retryOnVersionConflict(async () => {
      const contact = await this.getContact(contactId);
      if (contact && !contact.invalidAddressKeys.includes(addressKey)) {
        await this.#writeContact(
          { ...contact, invalidAddressKeys: [...contact.invalidAddressKeys, addressKey] },
          contact.version,
        );
      }
    });
  }

  /** The address can receive again (a WeChat user who unfollowed the account follows it again). */
  async markAddressValid(contactId: string, addressKey: string): Promise<void> {
    await retryOnVersionConflict(async () => {
      const contact = await this.getContact(contactId);
      if (contact?.invalidAddressKeys.includes(addressKey)) {
        await this.#writeContact(
          { ...contact, invalidAddressKeys: contact.invalidAddressKeys.filter((k) => k !== addressKey) },
          contact.version,
        );
      }
    });
  }

  /**
   * Adds an address to a contact (a linked WeChat account), writing its projection; with `prefer`,
   * it also becomes the contact's preferred channel. Refused (ValidationError) if another contact owns it.
   */
  async attachAddress(contactId: string, address: ChannelAddress, options: { prefer?: boolean } = {}) {
    return retryOnVersionConflict(async () => {
      const contact = await this.getContact(contactId);
      if (!contact) throw new ValidationError(`unknown contact ${contactId}`);
      const has = contact.addresses.some(
        (a) => a.channel === address.channel && a.address === address.address,
      );
      const key = `${address.channel}:${address.address}`;
      const updated: Contact = {
        ...contact,
        addresses: has ? contact.addresses : [...contact.addresses, address],
        invalidAddressKeys: contact.invalidAddressKeys.filter((k) => k !== key),
        preferredChannel: options.prefer ? address.channel : contact.preferredChannel,
      };
      return this.#writeContact(updated, contact.version);
    });
  }

  async getContact(contactId: string): Promise<Contact | undefined> {
    const item = await this.#get(keys.contactProfile(contactId));
    return item ? parseItem(contactSchema, { ...item, version: versionOf(item) }, 'contact') : undefined;
  }

  /** Whether this family or contact id was erased on request (it cannot be recreated). */
  async isErased(kind: ErasedKind, id: string): Promise<boolean> {
    return (await this.#get(tombstoneKey(kind, id))) !== undefined;
  }

  async findContactIdByAddress(channel: ChannelName, address: string): Promise<string | undefined> {
    const item = await this.#get(keys.contactView(channel, address));
    return typeof item?.contactId === 'string' ? item.contactId : undefined;
  }

  async getContactView(channel: ChannelName, address: string): Promise<ContactView | undefined> {
    const item = await this.#get(keys.contactView(channel, address));
    return item ? parseItem(contactViewSchema, item, 'contact view') : undefined;
  }

  /** The ids of the Centre's families (written with each family). */
  async listCentreFamilyIds(centreId: string): Promise<string[]> {
    return (await this.#query(prefixes.centrePk(centreId), prefixes.family)).map((i) => String(i.familyId));
  }

  async listFamilyContacts(familyId: string): Promise<MemberLink[]> {
    return (await this.#query(prefixes.familyPk(familyId), prefixes.contact)).map(toMemberLink);
  }

  /** The Centre's contacts (e.g. its coordinators, who receive alerts). */
  async listCentreContacts(centreId: string, role?: ContactRole): Promise<MemberLink[]> {
    const links = (await this.#query(prefixes.centrePk(centreId), prefixes.contact)).map(toMemberLink);
    return role ? links.filter((l) => l.role === role) : links;
  }

  async #reproject(members: MemberLink[]): Promise<void> {
    for (const member of members) {
      await retryOnVersionConflict(async () => {
        const contact = await this.getContact(member.contactId);
        if (contact) await this.#writeContact(contact, contact.version);
      });
    }
  }

  /**
   * `expected`: the version the caller read (undefined: the one read here). `choice`: only from the
   * person (or their provider's block): the opt-out otherwise stays as stored, whatever `input` says.
   */
  async #writeContact(
    input: Omit<Contact, 'version'>,
    expected: number | undefined,
    choice?: { optedOut: boolean; optedOutAt: string },
  ): Promise<Contact> {
    const previousItem = await this.#get(keys.contactProfile(input.contactId));
    const previous = previousItem
      ? parseItem(contactSchema, { ...previousItem, version: versionOf(previousItem) }, 'contact')
      : undefined;
    const version = expectedVersion(expected, previous?.version);
    const optOut = choice ?? {
      optedOut: previous?.optedOut ?? false,
      ...(previous?.optedOutAt === undefined ? {} : { optedOutAt: previous.optedOutAt }),
    };
    const { optedOutAt: _, ...withoutChoice } = input;
    const contact: Contact = { ...withoutChoice, ...optOut, version: nextVersion(version) };
    const centre = await this.getCentre(contact.centreId);
    if (!centre) throw new ValidationError(`unknown centre ${contact.centreId}`);
    const families: Family[] = [];
    for (const familyId of contact.familyIds) {
      const family = await this.getFamily(familyId);
      if (!family) throw new ValidationError(`unknown family ${familyId}`);
      if (family.centreId !== contact.centreId) {
        throw new ValidationError(`family ${familyId} belongs to another centre`);
      }
      families.push(family);
    }
    const now = new Date().toISOString();

    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.#table,
          Item: { ...keys.contactProfile(contact.contactId), entity: 'contact', ...contact, updatedAt: now },
          ...ifVersion(version),
        },
      },
      notErased(this.#table, 'contact', contact.contactId),
    ];

    // Projections: an UpdateItem rather than a Put keeps this address's stopHintWeek.
    const view = projectContactView(contact, centre, families);
    const projectionIndexes = new Map<number, ChannelAddress>();
    for (const a of contact.addresses) {
      const u = new UpdateBuilder().set('entity', 'contact-view').set('updatedAt', now);
      for (const [attribute, value] of Object.entries(view)) u.set(attribute, value);
      const owner = `attribute_not_exists(pk) OR ${u.name('contactId')} = ${u.value(contact.contactId)}`;
      const index = items.push({
        Update: {
          TableName: this.#table,
          Key: keys.contactView(a.channel, a.address),
          ...u.build(),
          ConditionExpression: owner,
        },
      });
      projectionIndexes.set(index - 1, a);
    }
    const stillThere = (a: ChannelAddress) =>
      contact.addresses.some((b) => b.channel === a.channel && b.address === a.address);
    for (const a of previous?.addresses.filter((x) => !stillThere(x)) ?? []) {
      // A changed SIM card: the old number no longer reaches this contact.
      items.push(this.#deleteOwned(keys.contactView(a.channel, a.address), contact.contactId));
    }

    const link = { entity: 'member', contactId: contact.contactId, role: contact.role, name: contact.name };
    for (const familyId of contact.familyIds) {
      items.push({
        Put: {
          TableName: this.#table,
          Item: { ...keys.familyContact(familyId, contact.contactId), ...link },
        },
      });
    }
    for (const familyId of previous?.familyIds.filter((f) => !contact.familyIds.includes(f)) ?? []) {
      items.push({
        Delete: { TableName: this.#table, Key: keys.familyContact(familyId, contact.contactId) },
      });
    }
    items.push({
      Put: {
        TableName: this.#table,
        Item: {
          ...keys.centreContact(contact.centreId, contact.contactId),
          ...link,
          ...broadcastFields(contact, families),
        },
      },
    });
    if (previous && previous.centreId !== contact.centreId) {
      items.push({
        Delete: { TableName: this.#table, Key: keys.centreContact(previous.centreId, contact.contactId) },
      });
    }
    // The weekly schedule's snapshot of this contact (and a fresh plan if their day or time changed).
    const children = view.children.map((c) => ({ childId: c.childId, familyId: c.familyId }));
    items.push(scheduleWrite(this.#table, contact, previous, children, new Date(now)));

    try {
      await this.#client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (failedCondition(error, 0)) throw new VersionConflictError('the contact was changed meanwhile');
      if (failedCondition(error, 1)) throw erasedError('contact');
      for (const [i, a] of projectionIndexes) {
        if (failedCondition(error, i)) {
          throw new ValidationError(`address ${a.channel}:${a.address} already belongs to another contact`);
        }
      }
      throw new DependencyError('writing the contact failed', { cause: error });
    }
    return contact;
  }

  #deleteOwned(key: ItemKey, contactId: string): TransactItem {
    return {
      Delete: {
        TableName: this.#table,
        Key: key,
        ConditionExpression: 'attribute_not_exists(pk) OR contactId = :contactId',
        ExpressionAttributeValues: { ':contactId': contactId },
      },
    };
  }

  async #get(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    const output = await this.#call('reading the roster', () =>
      this.#client.send(new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true })),
    );
    return output.Item;
  }

  #query(pk: string, skPrefix?: string): Promise<Record<string, unknown>[]> {
    return queryPartition(this.#client, this.#table, 'reading the roster', pk, skPrefix);
  }

  async #call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new DependencyError(`${what} failed`, { cause: error });
    }
  }
}

/**
 * The projection a conversation reads. Children are those of the contact's families, oldest
 * first (the order the check-in asks about them), ties broken by name for a stable order.
 */
export function projectContactView(
  contact: Contact,
  centre: Centre,
  families: Family[],
): Omit<
  ContactView,
  'stopHintWeek' | 'lastIdleReplyAt' | 'stepStreak' | 'stepStreakWeek' | 'oneMessageOffered'
> {
  const children: (ChildRef & { birthYear: number })[] = families.flatMap((f) =>
    f.children.map((c: Child) => ({
      childId: c.childId,
      familyId: f.familyId,
      name: c.name,
      category: c.category,
      birthYear: c.birthYear,
    })),
  );
  children.sort(
    (a, b) => a.birthYear - b.birthYear || a.name.localeCompare(b.name) || a.childId.localeCompare(b.childId),
  );
  return {
    contactId: contact.contactId,
    role: contact.role,
    language: contact.language,
    optedOut: contact.optedOut,
    displayName: contact.name,
    centreId: centre.centreId,
    centreName: centre.name,
    centrePhone: centre.phone,
    children: children.map(({ birthYear: _, ...ref }) => ref),
    addresses: contact.addresses,
    ...(contact.checkinForm === undefined ? {} : { checkinForm: contact.checkinForm }),
  };
}

/**
 * What the broadcast planner needs of a contact, kept on the Centre's membership link so that a
 * Centre's recipients are one paginated Query (a turn that opts out updates it too).
 */
export function broadcastFields(contact: Contact, families: Family[]) {
  const to = preferredAddress(contact);
  return {
    language: contact.language,
    optedOut: contact.optedOut,
    categories: [...new Set(families.flatMap((f) => f.children.map((c) => c.category)))].sort(),
    channel: to?.channel ?? null,
    address: to?.address ?? null,
    invalid: to === undefined && contact.addresses.length > 0,
    quietHours: contact.quietHours ?? null,
  };
}

/** What a write is conditional on: the version the caller read, else the one just read here. */
function expectedVersion(given: number | undefined, read: Expected | undefined): Expected {
  const current = read ?? 'absent';
  if (given === undefined) return current;
  // The caller read an older version than the one here now: refused without trying.
  if (current === 'absent' || current !== given) throw new VersionConflictError('changed meanwhile');
  return given;
}

function toMemberLink(item: Record<string, unknown>): MemberLink {
  return { contactId: String(item.contactId), role: item.role as ContactRole, name: String(item.name) };
}

function validate<S extends z.ZodMiniType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ValidationError(`invalid ${what} (${fields})`);
  }
  return parsed.data;
}
