/**
 * SMS delivery behind one interface. The provider is chosen by configuration (SMS_PROVIDER):
 *   - dev:  records the message in the notification table and the server log, where a
 *           developer or a test reads the code. config.ts refuses it in production.
 *   - http: posts to the hospital's SMS gateway (SMS_HTTP_URL, bearer SMS_HTTP_TOKEN) and
 *           records the message with its secret parameters masked.
 */
import type { Config } from '../config.js';
import type { Db } from '../db/create-db.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

export interface SmsMessage {
  phone: string;
  /** A template of TEMPLATE_TEXT, or an outbox template (notification/templates.ts) sent with its `text`. */
  template: string;
  params: Record<string, string>;
  /** Parameter names never stored or logged outside the dev provider. */
  secretParams?: readonly string[];
  /** Outbox messages: the rendered text, and the key that makes a resend a no-op at the gateway. */
  text?: string;
  dedupeKey?: string;
  /** False for outbox messages, whose row already is the record. */
  record?: boolean;
}

export interface SmsSender {
  readonly name: 'dev' | 'http';
  send(message: SmsMessage): Promise<void>;
}

const TEMPLATE_TEXT: Record<string, (p: Record<string, string>) => string> = {
  verification_code: (p) =>
    `【南阳市第二人民医院】您的验证码是${p.code}，${p.minutes}分钟内有效。如非本人操作，请忽略本短信。`,
  // Sent instead of a code when someone asks to register a phone that has an account (auth/sms-codes.ts).
  already_registered: () => '【南阳市第二人民医院】该手机号已注册，可直接登录或找回密码。如非本人操作，请忽略本短信。',
};

async function record(db: Db, message: SmsMessage, payload: Record<string, string>, now: Date): Promise<void> {
  await db
    .insertInto('notification')
    .values({
      channel: 'sms',
      recipient: message.phone,
      template: message.template,
      payload: JSON.stringify(payload),
      status: 'sent',
      attempts: 1,
      send_after: now,
      sent_at: now,
      created_at: now,
    })
    .execute();
}

function messageText(message: SmsMessage): string {
  if (message.text !== undefined) return message.text;
  const render = TEMPLATE_TEXT[message.template];
  if (!render) throw new Error(`unknown SMS template ${message.template}`);
  return render(message.params);
}

export function createSmsSender(config: Config, db: Db, log: Logger): SmsSender {
  if (config.sms.provider === 'dev') {
    return {
      name: 'dev',
      async send(message) {
        const text = messageText(message);
        if (message.record !== false) await record(db, message, { ...message.params, text }, new Date());
        log.info({ sms: { phone: message.phone, text } }, 'development SMS (not sent)');
      },
    };
  }
  const { url, token } = config.sms;
  return {
    name: 'http',
    async send(message) {
      const text = messageText(message);
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ phone: message.phone, template: message.template, params: message.params, text, dedupeKey: message.dedupeKey }),
          signal: AbortSignal.timeout(5000),
        });
      } catch (error) {
        log.error({ err: error }, 'SMS gateway unreachable');
        throw new AppError('SMS_SEND_FAILED');
      }
      if (!response.ok) {
        log.error({ status: response.status }, 'SMS gateway refused the message');
        throw new AppError('SMS_SEND_FAILED');
      }
      const masked = Object.fromEntries(
        Object.entries(message.params).map(([k, v]) => [k, message.secretParams?.includes(k) ? '******' : v]),
      );
      if (message.record !== false) await record(db, message, masked, new Date());
    },
  };
}
