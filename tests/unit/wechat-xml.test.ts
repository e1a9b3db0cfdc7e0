import { describe, expect, it } from 'vitest';
import {
  buildWechatXml,
  cdata,
  MAX_WECHAT_XML_BYTES,
  parseWechatXml,
} from '#lib/channels/wechat/wechat-xml.ts';
import { ValidationError } from '#lib/errors.ts';

const message = (content: string) =>
  `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>${content}</Content><MsgId>6054768590064713728</MsgId></xml>`;

describe('parseWechatXml', () => {
  it('reads the fields as strings, keeping a 64-bit MsgId exact', () => {
    expect(parseWechatXml(message('<![CDATA[你好 <b>]]>'))).toEqual({
      ToUserName: 'gh_1',
      FromUserName: 'oUser',
      CreateTime: '1348831860',
      MsgType: 'text',
      Content: '你好 <b>',
      MsgId: '6054768590064713728',
    });
  });

  it.each([
    ['an external entity (XXE)', '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'],
    ['a parameter entity', '<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]>'],
    ['an external DTD', '<!DOCTYPE xml SYSTEM "http://evil.example/x.dtd">'],
    ['billion laughs', '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'],
    ['a lower-case doctype', '<!doctype xml>'],
  ])('refuses %s before parsing', (_, dtd) => {
    expect(() => parseWechatXml(`<?xml version="1.0"?>${dtd}${message('&xxe;')}`)).toThrow(
      new ValidationError('invalid WeChat XML: DTDs and entity declarations are not accepted'),
    );
  });

  it('lets a user type a declaration as text (inside CDATA it is only text)', () => {
    expect(parseWechatXml(message('<![CDATA[<!DOCTYPE x>]]>')).Content).toBe('<!DOCTYPE x>');
  });

  it('never expands entity references, even the predefined ones', () => {
    expect(parseWechatXml(message('a &amp; &lt; &xxe;')).Content).toBe('a &amp; &lt; &xxe;');
  });

  it.each([
    ['unclosed tags', '<xml><Content>hi</xml>'],
    ['another root', '<note><Content>hi</Content></note>'],
    ['not XML at all', '{"Content":"hi"}'],
    ['an empty body', ''],
  ])('refuses %s', (_, xml) => {
    expect(() => parseWechatXml(xml)).toThrow(ValidationError);
  });

  it('refuses a body over the size limit', () => {
    expect(() => parseWechatXml(message('x'.repeat(MAX_WECHAT_XML_BYTES)))).toThrow(/too large/);
  });
});

describe('buildWechatXml', () => {
  it('writes strings as CDATA and numbers bare, and reads back the same', () => {
    const xml = buildWechatXml({ ToUserName: 'oUser', CreateTime: 12345678, Content: 'a ]]> b & <c>' });
    expect(xml).toBe(
      '<xml><ToUserName><![CDATA[oUser]]></ToUserName><CreateTime>12345678</CreateTime><Content><![CDATA[a ]]]]><![CDATA[> b & <c>]]></Content></xml>',
    );
    expect(parseWechatXml(xml).Content).toBe('a ]]> b & <c>');
  });

  it('cannot be closed early by the text', () => {
    expect(cdata(']]><x/>')).toBe('<![CDATA[]]]]><![CDATA[><x/>]]>');
  });
});
