import { describe, expect, it } from 'vitest';
import { preferredAddress } from '#lib/domain/preferred-address.ts';

const sms = { channel: 'sms' as const, address: '+8613800000001' };
const wechat = { channel: 'wechat' as const, address: 'oUser0000000000000000000000001' };

describe('preferredAddress', () => {
  it('takes the preferred channel', () => {
    expect(preferredAddress({ addresses: [sms, wechat], preferredChannel: 'wechat' })).toEqual(wechat);
    expect(preferredAddress({ addresses: [wechat, sms], preferredChannel: 'sms' })).toEqual(sms);
  });

  it('falls back to SMS, then to whatever there is', () => {
    expect(preferredAddress({ addresses: [wechat, sms] })).toEqual(sms);
    expect(preferredAddress({ addresses: [wechat] })).toEqual(wechat);
    expect(preferredAddress({ addresses: [sms], preferredChannel: 'wechat' })).toEqual(sms);
  });

  it('skips an address known not to receive (an unfollowed account)', () => {
    const contact = { addresses: [sms, wechat], preferredChannel: 'wechat' as const };
    expect(preferredAddress({ ...contact, invalidAddressKeys: [`wechat:${wechat.address}`] })).toEqual(sms);
    expect(
      preferredAddress({
        ...contact,
        invalidAddressKeys: [`wechat:${wechat.address}`, `sms:${sms.address}`],
      }),
    ).toBeUndefined();
  });
});
