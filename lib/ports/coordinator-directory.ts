// The coordinators' accounts: who may sign in to the console, and for which centres. In AWS the
// Cognito user pool (custom:centres, the centre-admin group); locally a store in the table that the
// local sign-in page lists. The API's scoping rules live in lib/api/coordinators-api.ts, not here.

export interface CoordinatorAccount {
  /** The account's stable id (Cognito username; locally the roster contact id of demo coordinators). */
  id: string;
  name: string;
  email?: string;
  /** E.164. */
  phone?: string;
  centres: string[];
  admin: boolean;
  /** `invited` until the first sign-in (Cognito FORCE_CHANGE_PASSWORD), then `active`. */
  status: 'invited' | 'active';
}

export interface CoordinatorInvitation {
  name: string;
  email?: string;
  phone?: string;
  centres: readonly string[];
}

export interface CoordinatorDirectory {
  /** Every account that holds at least one of these centres. */
  listForCentres(centres: ReadonlySet<string>): Promise<CoordinatorAccount[]>;
  get(id: string): Promise<CoordinatorAccount | undefined>;
  /** The account with this e-mail or phone, if any (an invitation is sent once per person). */
  findByContact(contact: { email?: string; phone?: string }): Promise<CoordinatorAccount | undefined>;
  /** Creates the account and sends the invitation (Cognito e-mails or texts a temporary password). */
  invite(invitation: CoordinatorInvitation): Promise<CoordinatorAccount>;
  /** Replaces the account's centres; undefined when there is no such account. */
  setCentres(id: string, centres: readonly string[]): Promise<CoordinatorAccount | undefined>;
}
