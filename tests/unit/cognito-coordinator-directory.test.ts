// The Cognito adapter's requests, against a hand-written fake of the user pool's admin API: the
// commands it sends (and that IAM must allow), their shapes, and how it reads the answers.
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { CognitoCoordinatorDirectory } from '#lib/accounts/cognito-coordinator-directory.ts';
import { COMMAND_ACTIONS } from '#lib/store/iam-actions.ts';

interface FakeUser {
  Username: string;
  Attributes: { Name: string; Value: string }[];
  UserStatus: string;
}

/** A user pool with 61 users (two ListUsers pages) and one admin. */
function fakePool() {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  const users: FakeUser[] = Array.from({ length: 61 }, (_, i) => ({
    Username: `coord-${i}`,
    Attributes: [
      { Name: 'name', Value: `老师${i}` },
      { Name: 'custom:centres', Value: i === 60 ? 'centre-a, centre-c' : 'centre-z' },
      ...(i === 60 ? [{ Name: 'email', Value: 'sixty@example.org' }] : []),
    ],
    UserStatus: i === 60 ? 'FORCE_CHANGE_PASSWORD' : 'CONFIRMED',
  }));
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name;
      sent.push({ name, input: command.input });
      const input = command.input;
      switch (name) {
        case 'ListUsersCommand': {
          if (typeof input.Filter === 'string') {
            const [, attr, value] = /^(\w+) = "(.*)"$/.exec(input.Filter) ?? [];
            return {
              Users: users.filter((u) => u.Attributes.some((a) => a.Name === attr && a.Value === value)),
            };
          }
          const start = Number(input.PaginationToken ?? 0);
          const limit = Number(input.Limit);
          const next = start + limit < users.length ? String(start + limit) : undefined;
          return { Users: users.slice(start, start + limit), PaginationToken: next };
        }
        case 'ListUsersInGroupCommand':
          return { Users: input.GroupName === 'centre-admin' ? [users[60]] : [] };
        case 'AdminGetUserCommand': {
          const user = users.find((u) => u.Username === input.Username);
          if (!user)
            throw Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' });
          return { Username: user.Username, UserAttributes: user.Attributes, UserStatus: user.UserStatus };
        }
        case 'AdminCreateUserCommand': {
          const user = {
            Username: String(input.Username),
            Attributes: input.UserAttributes as FakeUser['Attributes'],
            UserStatus: 'FORCE_CHANGE_PASSWORD',
          };
          users.push(user);
          return { User: user };
        }
        case 'AdminUpdateUserAttributesCommand':
          return {};
        default:
          throw new Error(`the fake does not know ${name}`);
      }
    },
  };
  const directory = new CognitoCoordinatorDirectory({
    client: client as unknown as Pick<CognitoIdentityProviderClient, 'send'>,
    userPoolId: 'ap-east-1_Test',
  });
  return { directory, sent };
}

describe('the Cognito coordinator directory', () => {
  it('lists the coordinators of some centres across pages, with their admin group and invitation state', async () => {
    const { directory, sent } = fakePool();
    const found = await directory.listForCentres(new Set(['centre-a', 'centre-b']));
    expect(found).toEqual([
      {
        id: 'coord-60',
        name: '老师60',
        email: 'sixty@example.org',
        centres: ['centre-a', 'centre-c'],
        admin: true,
        status: 'invited',
      },
    ]);
    const pages = sent.filter((s) => s.name === 'ListUsersCommand');
    expect(pages.map((p) => p.input.PaginationToken)).toEqual([undefined, '60']);
    expect(pages.every((p) => p.input.UserPoolId === 'ap-east-1_Test' && p.input.Limit === 60)).toBe(true);
  });

  it('invites with the centres attribute, a verified e-mail and an e-mailed temporary password', async () => {
    const { directory, sent } = fakePool();
    const account = await directory.invite({
      name: '赵老师',
      email: 'zhao@example.org',
      centres: ['centre-a'],
    });
    const create = sent.find((s) => s.name === 'AdminCreateUserCommand');
    expect(create?.input).toMatchObject({
      UserPoolId: 'ap-east-1_Test',
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: [
        { Name: 'name', Value: '赵老师' },
        { Name: 'custom:centres', Value: 'centre-a' },
        { Name: 'email', Value: 'zhao@example.org' },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    // The username is ours (never the e-mail: an alias cannot also be the username).
    expect(String(create?.input.Username)).toMatch(/^coord-[0-9a-f-]{36}$/);
    expect(account).toMatchObject({ centres: ['centre-a'], status: 'invited', admin: false });
  });

  it('texts the invitation when there is only a phone number', async () => {
    const { directory, sent } = fakePool();
    await directory.invite({ name: '钱老师', phone: '+8613800138000', centres: ['centre-a'] });
    const create = sent.find((s) => s.name === 'AdminCreateUserCommand');
    expect(create?.input.DesiredDeliveryMediums).toEqual(['SMS']);
    expect(create?.input.UserAttributes).toContainEqual({ Name: 'phone_number', Value: '+8613800138000' });
  });

  it('finds a person by e-mail with an exact-match filter, and says nothing of an unknown one', async () => {
    const { directory, sent } = fakePool();
    expect((await directory.findByContact({ email: 'sixty@example.org' }))?.id).toBe('coord-60');
    expect(sent[0]?.input).toEqual({
      UserPoolId: 'ap-east-1_Test',
      Filter: 'email = "sixty@example.org"',
      Limit: 1,
    });
    expect(await directory.findByContact({ phone: '+8613900000000' })).toBeUndefined();
    expect(await directory.get('nobody')).toBeUndefined();
  });

  it('replaces the centres attribute of an existing account only', async () => {
    const { directory, sent } = fakePool();
    const after = await directory.setCentres('coord-60', ['centre-c', 'centre-b']);
    expect(after?.centres).toEqual(['centre-c', 'centre-b']);
    expect(sent.find((s) => s.name === 'AdminUpdateUserAttributesCommand')?.input).toEqual({
      UserPoolId: 'ap-east-1_Test',
      Username: 'coord-60',
      UserAttributes: [{ Name: 'custom:centres', Value: 'centre-c,centre-b' }],
    });
    expect(await directory.setCentres('nobody', ['centre-a'])).toBeUndefined();
    expect(sent.filter((s) => s.name === 'AdminUpdateUserAttributesCommand')).toHaveLength(1);
  });

  it('declares every command it sends, so the role grants exactly those', async () => {
    const { directory, sent } = fakePool();
    await directory.listForCentres(new Set(['centre-a']));
    await directory.findByContact({ email: 'sixty@example.org' });
    await directory.invite({ name: 'x', email: 'x@example.org', centres: ['centre-a'] });
    await directory.setCentres('coord-60', ['centre-a']);
    const used = [...new Set(sent.map((s) => COMMAND_ACTIONS[s.name]))].sort();
    expect(used).toEqual([...(CognitoCoordinatorDirectory.awsAccess.userPool ?? [])].sort());
  });
});
