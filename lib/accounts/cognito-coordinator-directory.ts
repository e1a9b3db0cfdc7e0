// The coordinators' accounts in AWS: the Cognito user pool, through its admin API. A coordinator's
// centres are the `custom:centres` attribute (what the ID token carries, what the API scopes by);
// centre admins are the members of the `centre-admin` group, which only an operator sets.

import { randomUUID } from 'node:crypto';
// Each command comes from `await import()` where it is sent: the coordinators' API is one bundle, and a
// static import would load the Cognito client at every cold start for the few requests that need it.
import type {
  AttributeType,
  CognitoIdentityProviderClient,
  UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { CENTRE_ADMIN_GROUP, CENTRES_CLAIM } from '#lib/config/api.ts';
import type {
  CoordinatorAccount,
  CoordinatorDirectory,
  CoordinatorInvitation,
} from '#lib/ports/coordinator-directory.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';

/** The largest page ListUsers and ListUsersInGroup return. */
const PAGE = 60;

type CognitoSend = Pick<CognitoIdentityProviderClient, 'send'>;

export class CognitoCoordinatorDirectory implements CoordinatorDirectory {
  static readonly awsAccess: AwsAccess = {
    userPool: [
      'cognito-idp:AdminCreateUser',
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminUpdateUserAttributes',
      'cognito-idp:ListUsers',
      'cognito-idp:ListUsersInGroup',
    ],
  };

  readonly #client: CognitoSend;
  readonly #userPoolId: string;

  constructor(opts: { client: CognitoSend; userPoolId: string }) {
    this.#client = opts.client;
    this.#userPoolId = opts.userPoolId;
  }

  async listForCentres(centres: ReadonlySet<string>): Promise<CoordinatorAccount[]> {
    // ListUsers cannot filter on a custom attribute: a pool of coordinators is small, read it all.
    const [users, admins] = await Promise.all([this.#allUsers(), this.#admins()]);
    return users
      .map((u) => accountOf(u.Username ?? '', u.Attributes ?? [], u.UserStatus, admins.has(u.Username ?? '')))
      .filter((a) => a.centres.some((c) => centres.has(c)))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  }

  async get(id: string): Promise<CoordinatorAccount | undefined> {
    const { AdminGetUserCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    try {
      const user = await this.#client.send(
        new AdminGetUserCommand({ UserPoolId: this.#userPoolId, Username: id }),
      );
      const admins = await this.#admins();
      return accountOf(user.Username ?? id, user.UserAttributes ?? [], user.UserStatus, admins.has(id));
    } catch (error) {
      if ((error as { name?: string }).name === 'UserNotFoundException') return undefined;
      throw error;
    }
  }

  async findByContact(contact: { email?: string; phone?: string }): Promise<CoordinatorAccount | undefined> {
    const { ListUsersCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    // Values are validated by the API (no quotes); ListUsers takes one exact-match filter at a time.
    const filters = [
      ...(contact.email ? [`email = "${contact.email}"`] : []),
      ...(contact.phone ? [`phone_number = "${contact.phone}"`] : []),
    ];
    for (const filter of filters) {
      const found = await this.#client.send(
        new ListUsersCommand({ UserPoolId: this.#userPoolId, Filter: filter, Limit: 1 }),
      );
      const user = found.Users?.[0];
      if (user?.Username) return this.get(user.Username);
    }
    return undefined;
  }

  async invite(invitation: CoordinatorInvitation): Promise<CoordinatorAccount> {
    const { AdminCreateUserCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    // Sign-in is by e-mail (an alias) or this username; the username is ours, never personal data.
    const username = `coord-${randomUUID()}`;
    const attributes: AttributeType[] = [
      { Name: 'name', Value: invitation.name },
      { Name: CENTRES_CLAIM, Value: invitation.centres.join(',') },
      ...(invitation.email
        ? [
            { Name: 'email', Value: invitation.email },
            // The admin typed it and the invitation goes there: password recovery may use it.
            { Name: 'email_verified', Value: 'true' },
          ]
        : []),
      ...(invitation.phone ? [{ Name: 'phone_number', Value: invitation.phone }] : []),
    ];
    const created = await this.#client.send(
      new AdminCreateUserCommand({
        UserPoolId: this.#userPoolId,
        Username: username,
        UserAttributes: attributes,
        // Cognito sends the temporary password: by e-mail when there is one, else by SMS.
        DesiredDeliveryMediums: invitation.email ? ['EMAIL'] : ['SMS'],
      }),
    );
    const user = created.User;
    return accountOf(user?.Username ?? username, user?.Attributes ?? attributes, user?.UserStatus, false);
  }

  async setCentres(id: string, centres: readonly string[]): Promise<CoordinatorAccount | undefined> {
    const { AdminUpdateUserAttributesCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const before = await this.get(id);
    if (!before) return undefined;
    await this.#client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: this.#userPoolId,
        Username: id,
        UserAttributes: [{ Name: CENTRES_CLAIM, Value: centres.join(',') }],
      }),
    );
    return { ...before, centres: [...centres] };
  }

  async #allUsers(): Promise<UserType[]> {
    const { ListUsersCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const users: UserType[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListUsersCommand({ UserPoolId: this.#userPoolId, Limit: PAGE, PaginationToken: token }),
      );
      users.push(...(page.Users ?? []));
      token = page.PaginationToken;
    } while (token);
    return users;
  }

  async #admins(): Promise<Set<string>> {
    const { ListUsersInGroupCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const names = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListUsersInGroupCommand({
          UserPoolId: this.#userPoolId,
          GroupName: CENTRE_ADMIN_GROUP,
          Limit: PAGE,
          NextToken: token,
        }),
      );
      for (const u of page.Users ?? []) if (u.Username) names.add(u.Username);
      token = page.NextToken;
    } while (token);
    return names;
  }
}

function accountOf(
  username: string,
  attributes: readonly AttributeType[],
  status: string | undefined,
  admin: boolean,
): CoordinatorAccount {
  const attr = (name: string) => attributes.find((a) => a.Name === name)?.Value;
  const email = attr('email');
  const phone = attr('phone_number');
  return {
    id: username,
    name: attr('name') ?? email ?? username,
    ...(email ? { email } : {}),
    ...(phone ? { phone } : {}),
    centres: (attr(CENTRES_CLAIM) ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c.length > 0),
    admin,
    status: status === 'FORCE_CHANGE_PASSWORD' ? 'invited' : 'active',
  };
}
