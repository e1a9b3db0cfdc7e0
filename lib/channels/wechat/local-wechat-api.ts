import type { LocalOutbox } from '#lib/channels/local-outbox.ts';
import type { AccessToken, TemplateMessage, WechatApi } from '#lib/channels/wechat/wechat-api.ts';

/**
 * WeChat's API on a developer's machine (`npm start`): what would be sent lands in the local outbox,
 * marked customer-service or template, so the 48-hour window and template rules can be seen working.
 */
export class LocalWechatApi implements WechatApi {
  constructor(private readonly outbox: LocalOutbox) {}

  async stableToken(): Promise<AccessToken> {
    return { token: 'local-access-token', expiresIn: 7200 };
  }

  async sendCustomText(_token: string, openId: string, content: string): Promise<void> {
    this.outbox.record('wechat', openId, content, 'customer-service');
  }

  async sendTemplate(_token: string, openId: string, message: TemplateMessage): Promise<string> {
    const text = Object.values(message.data).join(' ');
    return this.outbox.record('wechat', openId, text, `template ${message.templateId}`).providerId;
  }
}
