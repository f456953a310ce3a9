/**
 * Delivery channels behind one interface, used by the delivery job (delivery.ts):
 *   sms     the SMS provider of sms.ts (dev or the hospital's gateway)
 *   wechat  WeChat subscription messages; here the development provider, which checks the
 *           fields against WeChat's limits and records what it would send (the real one comes
 *           with the WeChat login issue)
 *   in_app  the inbox: the row itself is the message, so sending only makes it visible
 * A provider throws when the message did not go out; the job retries it with back-off.
 */
import type { Logger } from '../logger.js';
import type { SmsSender } from './sms.js';
import { fitWechatField, type WechatData, type WechatFieldType } from './wechat-fields.js';

export type ChannelName = 'sms' | 'wechat' | 'in_app';

export interface OutboundMessage {
  id: number;
  /** Unique per message: a provider that sees it twice sends once. */
  dedupeKey: string;
  template: string;
  userId: number | null;
  /** Phone number (SMS), account id (in-app). */
  recipient: string;
  /** SMS text or inbox text. */
  text: string;
  /** WeChat subscription-message fields, already fitted to WeChat's limits. */
  wechat: WechatData;
}

export interface Channel {
  send(message: OutboundMessage): Promise<void>;
}

export type Channels = Record<ChannelName, Channel>;

export interface WechatDevChannel extends Channel {
  /** What would have been sent, newest last (kept for developers and tests; bounded). */
  readonly sent: { userId: number | null; template: string; dedupeKey: string; data: WechatData }[];
}

/** The development WeChat provider: refuses a field over WeChat's limit, as WeChat would. */
export function createWechatDevChannel(log?: Logger): WechatDevChannel {
  const sent: WechatDevChannel['sent'] = [];
  return {
    sent,
    async send(message) {
      for (const [key, { value }] of Object.entries(message.wechat)) {
        const type = key.replace(/\d+$/, '') as WechatFieldType;
        if (fitWechatField(type, value) !== value) throw new Error(`WeChat field ${key} over its limit: ${value}`);
      }
      if (sent.length >= 1000) sent.shift();
      sent.push({ userId: message.userId, template: message.template, dedupeKey: message.dedupeKey, data: message.wechat });
      log?.info({ wechat: { userId: message.userId, template: message.template, data: message.wechat } }, 'development WeChat message (not sent)');
    },
  };
}

/** The channels of a running system: SMS through `deps.sms`, the dev WeChat provider, the inbox. */
export function createChannels(deps: { sms: SmsSender; log: Logger }): Channels {
  return {
    sms: {
      send: (m) => deps.sms.send({ phone: m.recipient, template: m.template, params: {}, text: m.text, dedupeKey: m.dedupeKey, record: false }),
    },
    wechat: createWechatDevChannel(deps.log),
    in_app: { send: async () => {} },
  };
}
