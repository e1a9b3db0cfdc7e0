// `npm run sms-templates [-- --json]`: every mainland template, in the form the providers' consoles ask
// for (type, name, content with variables, the variables' kind, what it is for), to register once.
import { parseArgs } from 'node:util';
import {
  MAX_VARIABLE_CHARS,
  providerTemplateText,
  SIGNATURE,
  SMS_TEMPLATES,
} from '#lib/domain/sms-templates.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });

const rows = SMS_TEMPLATES.map((t) => ({
  id: t.id,
  // Alibaba Cloud: 短信通知 (notification); Tencent Cloud: 普通短信 (ordinary SMS).
  type: { aliyun: '短信通知', tencent: '普通短信' },
  name: t.id,
  content: t.text,
  // Tencent numbers its variables ({1}, {2}, …) in the same order.
  tencentContent: providerTemplateText(t, 'tencent'),
  variables: t.variables.map((v) => ({
    name: v,
    attribute: '其他（自定义）',
    maxLength: MAX_VARIABLE_CHARS,
  })),
  language: t.language,
  kinds: t.kinds,
  remark: `${t.purpose}. Variables carry the message text, cut into pieces of at most ${MAX_VARIABLE_CHARS} characters.`,
}));

if (values.json) {
  console.log(JSON.stringify({ signature: SIGNATURE, templates: rows }, null, 2));
} else {
  console.log(
    `Signature (签名): ${SIGNATURE}  — register as "连心", type 公益/组织机构, with the Centre operator's documents.`,
  );
  console.log(
    `${rows.length} templates; register each on every provider, then put the codes in ALIYUN_SMS_TEMPLATE_CODES and TENCENT_SMS_TEMPLATE_IDS.\n`,
  );
  for (const r of rows) {
    console.log(`${r.id}  [${r.type.aliyun} / ${r.type.tencent}]  ${r.language}  for: ${r.kinds.join(', ')}`);
    console.log(`  模板内容 content: ${r.content}   (Tencent: ${r.tencentContent})`);
    console.log(
      `  变量 variables:   ${r.variables.map((v) => `${v.name} (${v.attribute}, ≤${v.maxLength})`).join(', ')}`,
    );
    console.log(`  申请说明 remark:  ${r.remark}`);
    console.log(
      '  Tencent 备注:     each variable is type 其他; ask for the length TENCENT_SMS_MAX_VARIABLE_CHARS says (docs/mainland-sms.md)\n',
    );
  }
}
