/**
 * Delivery of the outbox (outbox.ts): claims due messages, sends each through its channel,
 * retries failures with exponential back-off and gives up after `maxAttempts` into 'failed'.
 *
 * Claiming is one conditional UPDATE, the same on MariaDB, MySQL 8 and PlanetScale (Vitess):
 *
 *   UPDATE notification SET claim_token = <random>, claimed_until = now + lease, attempts = attempts + 1
 *   WHERE status = 'pending' AND send_after <= now AND (claimed_until IS NULL OR claimed_until < now)
 *   ORDER BY send_after, id LIMIT <batch>
 *
 * Two runners at once lock the rows they update, and the second re-reads a row the first
 * claimed after the first's autocommit and finds it claimed, so every row goes to one runner.
 * Chosen over SELECT … FOR UPDATE SKIP LOCKED because it needs no transaction held open
 * across the sends. A runner that dies mid-batch leaves its claim to lapse after the lease
 * (5 minutes, far beyond a provider's 5 s timeout), then another runner retries the message;
 * the provider gets the dedupe key, so even that rare resend is one message for the patient.
 * Every change after the claim is conditional on the claim token, so a runner whose lease
 * lapsed never overwrites the outcome of the runner that took over.
 *
 * A message that is moot by the time it is due — a payment reminder whose appointment was paid,
 * cancelled or expired meanwhile (templates.ts, `onlyWhile`) — is marked 'skipped', never sent,
 * on every channel (its inbox entry too). The check is made after the claim, just before the
 * send: a payment committed in the milliseconds between them can still meet one reminder.
 *
 * A claim walks the due index and then the rows, while another runner's "sent" update locks
 * rows and then the index: InnoDB may pick one of them as a deadlock victim. Each is a single
 * autocommit statement that changed nothing when rolled back, so it is simply run again.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/create-db.js';
import { isRetryableTransactionError } from '../db/driver-errors.js';
import { inTransaction } from '../db/transaction.js';
import type { Channels, ChannelName, OutboundMessage } from './channels.js';
import { inQuietHours, quietHoursEnd } from './quiet-hours.js';
import { onlyWhileStatuses } from './templates.js';

export interface DeliveryOptions {
  /** Messages claimed per round. */
  batchSize?: number;
  /** Sends in flight at once within a round. */
  concurrency?: number;
  /** Tries before a message is 'failed'. */
  maxAttempts?: number;
  /** Back-off before the 2nd try; doubled for each further try, capped at `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  leaseMs?: number;
}

export const DELIVERY_DEFAULTS: Required<DeliveryOptions> = {
  batchSize: 200,
  concurrency: 10,
  maxAttempts: 6,
  backoffMs: 60_000,
  maxBackoffMs: 60 * 60_000,
  leaseMs: 5 * 60_000,
};

export interface DeliverySummary {
  claimed: number;
  sent: number;
  /** Failed this time, to be retried after the back-off. */
  retrying: number;
  /** Gave up: status 'failed'. */
  failed: number;
  /** SMS due in quiet hours, moved to 07:00. */
  deferred: number;
  /** Moot when due (see the top): status 'skipped'. */
  skipped: number;
}

/** The wait before try number `attempts + 1`, after `attempts` failed tries. */
export function backoffDelay(attempts: number, options: Pick<Required<DeliveryOptions>, 'backoffMs' | 'maxBackoffMs'>): number {
  return Math.min(options.backoffMs * 2 ** Math.max(0, attempts - 1), options.maxBackoffMs);
}

interface ClaimedRow {
  id: number;
  channel: ChannelName;
  channel_choice: 'auto' | 'fixed';
  user_id: number | null;
  recipient: string;
  template: string;
  payload: string;
  dedupe_key: string | null;
  urgent: number;
  attempts: number;
  appointment_id: number | null;
}

/**
 * One round: claims up to `batchSize` due messages at `clock()` and delivers them. Callers loop
 * while a round comes back full (jobs/deliver-notifications.ts).
 */
export async function deliverDueNotifications(
  db: Db,
  channels: Channels,
  clock: () => Date,
  options: DeliveryOptions = {},
): Promise<DeliverySummary> {
  const o = { ...DELIVERY_DEFAULTS, ...options };
  const now = clock();
  const token = randomBytes(16).toString('hex');
  const claim = await retried(() =>
    db
      .updateTable('notification')
      .set((eb) => ({ claim_token: token, claimed_until: new Date(now.getTime() + o.leaseMs), attempts: eb('attempts', '+', 1) }))
      .where('status', '=', 'pending')
      .where('send_after', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('send_after')
      .orderBy('id')
      .limit(o.batchSize)
      .executeTakeFirst(),
  );
  const summary: DeliverySummary = { claimed: Number(claim.numUpdatedRows), sent: 0, retrying: 0, failed: 0, deferred: 0, skipped: 0 };
  if (summary.claimed === 0) return summary;

  let rows: ClaimedRow[] = await db
    .selectFrom('notification')
    .select(['id', 'channel', 'channel_choice', 'user_id', 'recipient', 'template', 'payload', 'dedupe_key', 'urgent', 'attempts', 'appointment_id'])
    .where('claim_token', '=', token)
    .orderBy('id')
    .execute();
  const moot = await mootMessages(db, rows);
  for (const id of moot) await release(db, token, id, { status: 'skipped' });
  summary.skipped = moot.size;
  rows = rows.filter((r) => !moot.has(r.id));
  rows = await chooseChannels(db, token, rows, now);

  const sentIds: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      if (row.channel === 'sms' && !row.urgent && inQuietHours(now)) {
        await release(db, token, row.id, { send_after: quietHoursEnd(now), attempts: row.attempts - 1 });
        summary.deferred += 1;
        continue;
      }
      const payload = JSON.parse(row.payload) as { text: string; wechat?: OutboundMessage['wechat'] };
      const message: OutboundMessage = {
        id: row.id,
        dedupeKey: row.dedupe_key ?? `notification:${row.id}`,
        template: row.template,
        userId: row.user_id,
        recipient: row.recipient,
        text: payload.text,
        wechat: payload.wechat ?? {},
      };
      try {
        await channels[row.channel].send(message);
        sentIds.push(row.id);
      } catch (error) {
        const lastError = (error instanceof Error ? error.message : String(error)).slice(0, 500) || 'send failed';
        if (row.attempts >= o.maxAttempts) {
          await release(db, token, row.id, { status: 'failed', last_error: lastError });
          summary.failed += 1;
        } else {
          await release(db, token, row.id, { send_after: new Date(clock().getTime() + backoffDelay(row.attempts, o)), last_error: lastError });
          summary.retrying += 1;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, rows.length) }, worker));

  for (let i = 0; i < sentIds.length; i += 500) {
    const ids = sentIds.slice(i, i + 500).sort((a, b) => a - b);
    const marked = await retried(() =>
      db
        .updateTable('notification')
        .set({ status: 'sent', sent_at: clock(), claim_token: null, claimed_until: null, last_error: null })
        .where('id', 'in', ids)
        .where('claim_token', '=', token)
        .executeTakeFirst(),
    );
    summary.sent += Number(marked.numUpdatedRows);
  }
  return summary;
}

/** Ends this runner's claim on a message, with the given changes (retry time, failure…). */
async function release(
  db: Db,
  token: string,
  id: number,
  changes: { send_after?: Date; attempts?: number; status?: 'failed' | 'skipped'; last_error?: string },
): Promise<void> {
  await retried(() =>
    db
      .updateTable('notification')
      .set({ ...changes, claim_token: null, claimed_until: null })
      .where('id', '=', id)
      .where('claim_token', '=', token)
      .execute(),
  );
}

/** The ids of `rows` whose appointment has left the statuses their template is meaningful in (see the top). */
async function mootMessages(db: Db, rows: readonly ClaimedRow[]): Promise<Set<number>> {
  const conditional = rows.filter((r) => r.appointment_id !== null && onlyWhileStatuses(r.template));
  if (conditional.length === 0) return new Set();
  const appointments = await db
    .selectFrom('appointment')
    .select(['id', 'status'])
    .where('id', 'in', [...new Set(conditional.map((r) => r.appointment_id!))])
    .execute();
  const status = new Map(appointments.map((a) => [a.id, a.status]));
  return new Set(
    conditional
      .filter((r) => {
        const current = status.get(r.appointment_id!);
        return current === undefined || !onlyWhileStatuses(r.template)!.includes(current);
      })
      .map((r) => r.id),
  );
}

/** Runs one autocommit statement again when InnoDB chose it as a deadlock victim (see above). */
async function retried<T>(statement: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if (!isRetryableTransactionError(error) || attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }
}

/**
 * Fixes the channel of 'auto' messages at their first claim: WeChat when the patient has a
 * consent credit for the template (one credit consumed, in the same transaction that fixes the
 * channel, so a credit pays for exactly one message), SMS otherwise. Messages whose patient
 * holds no credit at all are fixed to SMS in one statement.
 */
async function chooseChannels(db: Db, token: string, rows: ClaimedRow[], now: Date): Promise<ClaimedRow[]> {
  const auto = rows.filter((r) => r.channel_choice === 'auto');
  if (auto.length === 0) return rows;
  const userIds = [...new Set(auto.map((r) => r.user_id).filter((u): u is number => u !== null))];
  const consents =
    userIds.length === 0
      ? []
      : await db.selectFrom('wechat_consent').select(['user_id', 'template']).where('user_id', 'in', userIds).where('credits', '>', 0).execute();
  const hasCredit = new Set(consents.map((c) => `${c.user_id}:${c.template}`));
  const candidates = auto.filter((r) => hasCredit.has(`${r.user_id}:${r.template}`));
  const smsOnly = auto.filter((r) => !hasCredit.has(`${r.user_id}:${r.template}`)).map((r) => r.id);
  if (smsOnly.length > 0) {
    await retried(() =>
      db
        .updateTable('notification')
        .set({ channel: 'sms', channel_choice: 'fixed' })
        .where('id', 'in', smsOnly)
        .where('claim_token', '=', token)
        .execute(),
    );
  }
  // undefined: the claim was lost, the message is left to the runner that holds it now.
  const chosen = new Map<number, ChannelName | undefined>();
  for (const row of candidates) {
    chosen.set(
      row.id,
      await inTransaction(db, async (trx) => {
        const credit = await trx
          .updateTable('wechat_consent')
          .set((eb) => ({ credits: eb('credits', '-', 1), updated_at: now }))
          .where('user_id', '=', row.user_id!)
          .where('template', '=', row.template)
          .where('credits', '>', 0)
          .executeTakeFirst();
        const channel: ChannelName = Number(credit.numUpdatedRows) === 1 ? 'wechat' : 'sms';
        const fixed = await trx
          .updateTable('notification')
          .set({ channel, channel_choice: 'fixed' })
          .where('id', '=', row.id)
          .where('claim_token', '=', token)
          .where('channel_choice', '=', 'auto')
          .executeTakeFirst();
        // Lost the claim (lease lapsed): roll the credit back with the transaction.
        if (Number(fixed.numUpdatedRows) !== 1) throw new LostClaim();
        return channel;
      }).catch((error: unknown) => {
        if (error instanceof LostClaim) return undefined;
        throw error;
      }),
    );
  }
  return rows.flatMap((r) => {
    if (r.channel_choice !== 'auto') return [r];
    const channel = chosen.has(r.id) ? chosen.get(r.id) : 'sms';
    return channel ? [{ ...r, channel, channel_choice: 'fixed' as const }] : [];
  });
}

class LostClaim extends Error {}
