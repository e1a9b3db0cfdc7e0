// WeChat speaks small, flat XML documents (<xml><Field>…</Field></xml>). They are parsed with
// fast-xml-parser configured so that nothing is ever resolved: no DTD, no entity, no external
// resource. A document that even declares a DTD is refused before parsing, since WeChat never sends one.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ValidationError } from '#lib/errors.ts';

/** Far above any real WeChat message (a text message is at most 2,048 bytes, encrypted ~4/3 of that). */
export const MAX_WECHAT_XML_BYTES = 32 * 1024;

const parser = new XMLParser({
  // Entities: none decoded, none declared (DTDs are refused below as well). WeChat wraps text in CDATA.
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Everything stays a string: MsgId is a 64-bit number that a JS number would round.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: () => false,
});

const CDATA = /<!\[CDATA\[[\s\S]*?\]\]>/g;
// Markup declarations are what a DTD is made of: <!DOCTYPE, <!ENTITY (XXE, billion laughs), <!ATTLIST …
const MARKUP_DECLARATION = /<!\s*(DOCTYPE|ENTITY|ATTLIST|ELEMENT|NOTATION)/i;

/**
 * The fields of a WeChat XML document (`<xml>` root, one level of text fields; nested elements come back
 * as objects). Throws ValidationError, with a one-line reason, for anything else.
 */
export function parseWechatXml(xml: string): Record<string, unknown> {
  if (Buffer.byteLength(xml, 'utf8') > MAX_WECHAT_XML_BYTES) {
    throw new ValidationError('invalid WeChat XML: body too large');
  }
  // Declarations inside CDATA are just text (a user may type anything); outside, they are a DTD.
  if (MARKUP_DECLARATION.test(xml.replace(CDATA, ''))) {
    throw new ValidationError('invalid WeChat XML: DTDs and entity declarations are not accepted');
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ValidationError(`invalid WeChat XML: ${valid.err.msg.split('\n')[0]}`);
  const doc: unknown = parser.parse(xml);
  const root = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).xml : undefined;
  if (typeof root !== 'object' || root === null) {
    throw new ValidationError('invalid WeChat XML: the root element must be <xml>');
  }
  return root as Record<string, unknown>;
}

/** Text as CDATA, splitting any `]]>` so the section cannot be closed from inside. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** A flat `<xml>` document; strings become CDATA, numbers stay bare (as WeChat writes CreateTime). */
export function buildWechatXml(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(([name, value]) => `<${name}>${typeof value === 'number' ? String(value) : cdata(value)}</${name}>`)
    .join('');
  return `<xml>${body}</xml>`;
}
