import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConversationWorkflows } from '../../temporal/conversation-workflows';

/** Signals in flight at once (a Temporal signal is one short RPC; more would crowd the frontend). */
export const REFRESH_CONCURRENCY = 16;
/** Conversation ids read per query while refreshing. */
const PAGE = 500;
/** How long shutdown waits for refreshes under way (what is left is picked up by the next save or event). */
const SHUTDOWN_WAIT_MS = 5_000;

export interface RefreshScope {
  accountId: string;
  /** null: every inbox of the account (an account-wide rule). */
  inboxId: string | null;
  /** Why, for the log line and the signal (e.g. 'automation rules changed: rule "X" v3 saved'). */
  reason: string;
}

export interface RefreshResult {
  conversations: number;
  failed: number;
  ms: number;
}

/**
 * Makes a saved time-based rule reach running conversations at once. A conversation workflow arms
 * the timer of the next due time-based rule when its automation step runs (after an event); a rule
 * created, changed or enabled afterwards would otherwise wait for the conversation's next event. So,
 * after the change committed, every active conversation (new, open, pending) in the rule's scope
 * gets the `conversationChanged` signal ('automation rules changed'): its workflow runs its
 * automation step, which reads the rules as they are now and re-arms its timer.
 *
 * Best effort and bounded: run in the background after the request answered, REFRESH_CONCURRENCY
 * signals at a time, paged by id; a signal that fails is logged (that conversation re-arms at its
 * next event). Saves arriving while a refresh of the same scope runs are coalesced into one more
 * pass. Event-based rules need none of this: the engine reads the rules when an event comes.
 */
@Injectable()
export class RuleTimerRefresh implements OnApplicationShutdown {
  private readonly logger = new Logger('RuleTimerRefresh');
  private readonly running = new Map<string, { again: RefreshScope | null; done: Promise<RefreshResult> }>();

  constructor(
    private readonly em: EntityManager,
    private readonly workflows: ConversationWorkflows,
  ) {}

  /** Starts (or queues) a refresh of the scope; answers the promise of the pass that will cover this save. */
  schedule(scope: RefreshScope): Promise<RefreshResult> {
    const key = `${scope.accountId}:${scope.inboxId ?? '*'}`;
    const current = this.running.get(key);
    if (current) {
      // The pass under way may have read this scope's conversations before the save: one more follows.
      current.again = scope;
      return current.done;
    }
    const entry: { again: RefreshScope | null; done: Promise<RefreshResult> } = { again: null, done: Promise.resolve({ conversations: 0, failed: 0, ms: 0 }) };
    entry.done = (async () => {
      let last = await this.refresh(scope);
      while (entry.again) {
        const next = entry.again;
        entry.again = null;
        last = await this.refresh(next);
      }
      this.running.delete(key);
      return last;
    })();
    this.running.set(key, entry);
    return entry.done;
  }

  /** One pass: signals every active conversation of the scope; never throws. */
  async refresh(scope: RefreshScope): Promise<RefreshResult> {
    const started = Date.now();
    const result: RefreshResult = { conversations: 0, failed: 0, ms: 0 };
    try {
      const em = this.em.fork();
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const rows = await em.execute<{ id: string }[]>(
          `select id from conversations
            where account_id = ? ${scope.inboxId ? 'and inbox_id = ?' : ''} and status in ('new', 'open', 'pending') and id > ?
            order by id limit ${PAGE}`,
          scope.inboxId ? [scope.accountId, scope.inboxId, after] : [scope.accountId, after],
        );
        if (rows.length === 0) break;
        for (let i = 0; i < rows.length; i += REFRESH_CONCURRENCY) {
          const ids = rows.slice(i, i + REFRESH_CONCURRENCY).map((r) => r.id);
          // notifyChanged logs and swallows each failed signal (a finished workflow is no failure).
          await this.workflows.notifyChanged(ids, scope.reason);
          result.conversations += ids.length;
        }
        after = rows[rows.length - 1].id;
        if (rows.length < PAGE) break;
      }
    } catch (err) {
      result.failed += 1;
      this.logger.warn(`automation timers of account ${scope.accountId}${scope.inboxId ? ` inbox ${scope.inboxId}` : ''} not refreshed after ${result.conversations} conversations: ${(err as Error).message}`);
    }
    result.ms = Date.now() - started;
    this.logger.log(`${scope.reason}: ${result.conversations} active conversation(s) told to re-arm their timers in ${result.ms} ms`);
    return result;
  }

  async onApplicationShutdown(): Promise<void> {
    const pending = [...this.running.values()].map((r) => r.done);
    if (pending.length === 0) return;
    await Promise.race([Promise.allSettled(pending), new Promise((r) => setTimeout(r, SHUTDOWN_WAIT_MS).unref())]);
  }
}
