/**
 * Counts the SQL statements and transactions the product runs (API and worker alike), with
 * pg_stat_statements (BenchStack.startPostgres({ countStatements: true })). The bench's own reads
 * (pollers, checks) go through an observer role whose statements are left out, so the figures are the
 * product's alone. Counted, not estimated: `reset()` before a phase, `read()` after it settled.
 */
import { randomBytes } from 'node:crypto';
import type { Client as PgClient } from 'pg';
import type { BenchStack } from './stack';

export interface StatementCounts {
  /** Statements other than transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT...), sent by the product. */
  statements: number;
  /**
   * Statements of trigger functions that pg_stat_statements sees as top level (deferred triggers run
   * at COMMIT): the database's own work, no round trip; told apart by their text in a trigger's body.
   */
  inTriggers: number;
  /** Explicit transactions (BEGIN); a statement outside one is its own transaction besides. */
  transactions: number;
  /** The statements outside an explicit transaction are not told apart: this many calls of BEGIN/COMMIT/ROLLBACK/SAVEPOINT. */
  transactionControl: number;
  /** The most frequent statements, shortened, with their calls (all of them, most frequent first). */
  top: { calls: number; ms: number; query: string }[];
  /** The statements told apart as the triggers' own, most frequent first. */
  topInTriggers: { calls: number; ms: number; query: string }[];
  /** Both, by their total time in the server (pg_stat_statements' total_exec_time + total_plan_time), longest first. */
  topByTime: { calls: number; ms: number; planMs: number; query: string }[];
  /** All of them: the server's time executing the product's statements and planning them, ms. */
  execMs: number;
  planMs: number;
}

const CONTROL = `^\\s*(begin|start transaction|commit|rollback|savepoint|release|end)\\b`;

export class StatementCounter {
  private constructor(
    private readonly admin: PgClient,
    readonly observer: PgClient,
    private readonly observerRole: string,
  ) {}

  /** Installs the extension and an observer role; `observer` is the client for the bench's own reads. */
  static async start(stack: BenchStack, admin: PgClient): Promise<StatementCounter> {
    await admin.query('create extension if not exists pg_stat_statements');
    const role = 'bench_observer';
    const password = randomBytes(12).toString('hex');
    await admin.query(`do $$ begin if not exists (select 1 from pg_roles where rolname = '${role}') then create role ${role} login; end if; end $$`);
    await admin.query(`alter role ${role} password '${password}'`);
    await admin.query(`grant pg_read_all_data to ${role}`);
    const observer = await stack.database({ user: role, password });
    return new StatementCounter(admin, observer, role);
  }

  async reset(): Promise<void> {
    await this.admin.query('select pg_stat_statements_reset()');
  }

  async read(): Promise<StatementCounts> {
    const { rows } = await this.admin.query<{ query: string; calls: string; ms: number; plan_ms: number }>(
      `select s.query, s.calls::text, s.total_exec_time as ms, s.total_plan_time as plan_ms from pg_stat_statements s
        where s.dbid = (select oid from pg_database where datname = current_database())
          and s.userid <> (select oid from pg_roles where rolname = $1)
          and s.query not like '%pg_stat_statements%'`,
      [this.observerRole],
    );
    const control = new RegExp(CONTROL, 'i');
    const norm = (q: string) => q.toLowerCase().replace(/\s+/g, ' ').trim();
    const { rows: bodies } = await this.admin.query<{ src: string }>(`select prosrc as src from pg_proc where prorettype = 'trigger'::regtype and prolang = (select oid from pg_language where lanname = 'plpgsql')`);
    // PL/pgSQL sends `select a into v from ...` without its INTO clause: drop it from the bodies too.
    const triggerText = bodies.map((b) => norm(b.src).replace(/ into (?:strict )?[a-z_][a-z0-9_]*(?: ?, ?[a-z_][a-z0-9_]*)* (?=from )/g, ' ')).join('\n');
    const fromTrigger = (q: string) => {
      // Constants come back as $1, $2...: the text up to the first of them must be in a trigger's body.
      const head = norm(q).replace(/^select /, '').split(/\$\d+/)[0].trim();
      return head.length >= 20 && triggerText.includes(head);
    };
    let statements = 0;
    let inTriggers = 0;
    let transactions = 0;
    let transactionControl = 0;
    let execMs = 0;
    let planMs = 0;
    const plain: { calls: number; ms: number; planMs: number; query: string }[] = [];
    const nested: { calls: number; ms: number; planMs: number; query: string }[] = [];
    for (const r of rows) {
      const calls = Number(r.calls);
      execMs += Number(r.ms);
      planMs += Number(r.plan_ms);
      if (control.test(r.query)) {
        transactionControl += calls;
        if (/^\s*(begin|start transaction)\b/i.test(r.query)) transactions += calls;
      } else if (fromTrigger(r.query)) {
        inTriggers += calls;
        nested.push({ calls, ms: Number(r.ms), planMs: Number(r.plan_ms), query: r.query.replace(/\s+/g, ' ').slice(0, 140) });
      } else {
        statements += calls;
        plain.push({ calls, ms: Number(r.ms), planMs: Number(r.plan_ms), query: r.query.replace(/\s+/g, ' ').slice(0, 140) });
      }
    }
    plain.sort((a, b) => b.calls - a.calls);
    nested.sort((a, b) => b.calls - a.calls);
    const byTime = [...plain, ...nested].sort((a, b) => b.ms + b.planMs - (a.ms + a.planMs));
    return { statements, inTriggers, transactions, transactionControl, top: plain, topInTriggers: nested, topByTime: byTime, execMs, planMs };
  }
}
