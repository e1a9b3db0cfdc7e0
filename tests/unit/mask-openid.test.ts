import { describe, expect, it } from 'vitest';
import { maskDeep, maskOpenId, maskPersonalIn } from '#lib/observability/mask.ts';

const OPENID = 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M';

describe('masking WeChat OpenIDs', () => {
  it('keeps enough to tell users apart, not enough to name them', () => {
    expect(maskOpenId(OPENID)).toBe('o6_****L2M');
    expect(maskOpenId('oTEST123')).toBe('****');
  });

  it('masks an OpenID in free text, keys included, and phone numbers as before', () => {
    expect(maskPersonalIn(`turn for ADDR#wechat#${OPENID} (+8613800000001)`)).toBe(
      'turn for ADDR#wechat#o6_****L2M (+86138****0001)',
    );
    expect(maskPersonalIn('requestId 0f4c1b2a-9d7e-4c3b-8a1f-2e5d6c7b8a90 week 2026-W49')).toBe(
      'requestId 0f4c1b2a-9d7e-4c3b-8a1f-2e5d6c7b8a90 week 2026-W49',
    );
  });

  it('masks address attributes whole, whatever their shape', () => {
    expect(
      maskDeep({ openId: 'oTEST123', to: 'oShortId99', from: '+8613800000001', kind: 'digest' }),
    ).toEqual({
      openId: '****',
      to: 'oSh****d99',
      from: '+86138****0001',
      kind: 'digest',
    });
  });
});
