import type { SqlClient, Statement } from "effect/sql"
import type { Tables } from "../../db/Tables.js"

/**
 * Settlement: every write that moves money or ends an order, for the engine (fenced by its lease, many orders
 * per statement) and for an operator (one order under its row lock) alike. Each is one statement of the same
 * shape (`settleStatement`): update the orders named by `v`, then what follows from it, as CTEs over `updated`.
 *
 * Transitions (engine: `EngineSettlement.ts`, the `OrderStore`'s settling writes; operator: `ManualSettlement.ts`):
 * - approve: pending → approved, outbox dropped, logged. An operator approving a rejected order re-debits first.
 * - reject: pending → rejected, outbox dropped, refunded, logged.
 * - re-debit: a rejected order charged its price again (operator approve or re-dispatch, `OperatorMoney.ts`);
 *   re-dispatch (`Redispatch.ts`) puts the order back to pending with a fresh outbox row.
 * - manual: the engine hands the order to an operator (outbox dropped, money held).
 * - cancel / noop: the engine finds nothing to do (`complete`: its outbox row goes); an operator's repeated
 *   action moves no money and logs `noop`.
 *
 * Each money rule is written once:
 * - the refund (exact price back, once per (order, 'refund', seq)): `refunded`, here;
 * - the dispatch-log insert (actor `engine` or `admin`): `logInsert` / `logged`, here;
 * - the outbox drop: `outboxDrop` / `dropped`, here;
 * - the callback event of a settled (or handed-over) order, for an account with a callback URL: `callbackQueued`;
 * - the overdraft rule (`balance - amount >= -overdraft_limit`): `debitWithinOverdraft` in `Overdraft.ts`, used
 *   by the intake debit (`IntakeBatch.ts`), the re-debit and balance corrections (`Accounts.ts`);
 * - what a money column holds (and the room kept for refunds): `BalanceRange.ts`.
 */

export type Actor = "engine" | "admin"

/**
 * The one shape of a settlement statement. `values` is the `v` relation (`WriteValues.ts`: `id`, the `log_*`
 * columns and, for the engine, `node` and `fence`). A fenced write changes only a pending order whose outbox row
 * still carries the lease in `v`; an operator's write names an order it has locked. Returns the updated rows.
 */
export const settleStatement = <A extends object>(
  sql: SqlClient.SqlClient,
  t: Tables,
  write: {
    readonly values: Statement.Fragment
    readonly set: Statement.Fragment
    readonly fenced: boolean
    readonly consequences: ReadonlyArray<Statement.Fragment>
    readonly select: Statement.Fragment
    /** the write settles (or hands over) its orders: each is announced on `orderChangesChannel` */
    readonly announce?: boolean | undefined
  }
) =>
  sql<A>`
    with v as (${write.values}), updated as (
      update ${t.orders} o set ${write.set}
      ${
        write.fenced
          ? sql`from v, ${t.outbox} b
                where o.id = v.id and b.order_id = o.id and b.owner_node = v.node and b.fence = v.fence
                  and o.status = 'pending'`
          : sql`from v where o.id = v.id`
      }
      returning o.*
    )${sql.join("", false, "")(write.consequences)}${write.announce === true ? announced(sql) : sql``}
    select ${write.select} from updated${write.announce === true ? sql` where exists (select from announced)` : sql``}`

/**
 * The channel on which settlements announce the orders they move (`OrderChanges.ts` listens): one notification per
 * order, `{"id","status","dispatchState"}`. Postgres delivers notifications at commit, and never on rollback.
 */
export const orderChangesChannel = "tawsil_order_changes"

/** A notification for each updated order. A `select` CTE runs only if read: the statement's `exists` reads it. */
const announced = (sql: SqlClient.SqlClient) =>
  sql`, announced as (
      select count(pg_notify(${orderChangesChannel},
        json_build_object('id', id, 'status', status, 'dispatchState', dispatch_state)::text))
      from updated)`

/** The same notification for one order changed outside a settlement statement (an operator's re-dispatch). */
export const announceOrder = (sql: SqlClient.SqlClient, t: Tables, orderId: string) =>
  sql`select pg_notify(${orderChangesChannel},
        json_build_object('id', id, 'status', status, 'dispatchState', dispatch_state)::text)
      from ${t.orders} where id = ${orderId}`

/** The one insert into the dispatch log: a row for each row of `source` (aliased `v`) that carries a log. */
export const logInsert = (sql: SqlClient.SqlClient, t: Tables, actor: Actor, source: Statement.Fragment) =>
  sql`insert into ${t.dispatch_log} (order_id, provider_id, action, request, response, outcome, actor)
      select v.id, v.log_provider, v.log_action, v.log_request::jsonb, v.log_response, v.log_outcome, ${actor}::text
      from ${source}
      where v.log_outcome is not null`

/** The updated orders' dispatch-log rows. */
export const logged = (sql: SqlClient.SqlClient, t: Tables, actor: Actor) =>
  sql`, logged as (${logInsert(sql, t, actor, sql`v join updated u on u.id = v.id`)})`

/** The one delete from the outbox: the engine is done with these orders. */
export const outboxDrop = (sql: SqlClient.SqlClient, t: Tables, which: Statement.Fragment) =>
  sql`delete from ${t.outbox} where ${which}`

/** The updated orders leave the engine. */
export const dropped = (sql: SqlClient.SqlClient, t: Tables) =>
  sql`, dropped as (${outboxDrop(sql, t, sql`order_id in (select id from updated)`)})`

/**
 * The exact amount charged goes back, once: the refund's ledger row is unique per (order, 'refund', seq), seq
 * counting the order's earlier refunds. Each account is credited once with the sum of its orders' prices; each
 * ledger row carries the balance as it was after its own refund (in order id order).
 */
export const refunded = (sql: SqlClient.SqlClient, t: Tables, note: string | undefined) =>
  sql`, credited as (
      update ${t.accounts} a set balance = a.balance + totals.total
      from (select account_id, sum(price_amount) as total from updated group by account_id) totals
      where a.id = totals.account_id
      returning a.id, a.balance
    ), refunded as (
      insert into ${t.ledger_entries} (account_id, kind, amount, balance_after, order_id, seq, note)
      select u.account_id, 'refund', u.price_amount,
             c.balance - sum(u.price_amount) over (partition by u.account_id)
                       + sum(u.price_amount) over (partition by u.account_id order by u.id),
             u.id, (select count(*) from ${t.ledger_entries} l where l.order_id = u.id and l.kind = 'refund'),
             ${note ?? null}::text
      from updated u join credited c on c.id = u.account_id)`

/**
 * A callback event for each updated order whose account has a callback URL (`src/callbacks/`): the order as it
 * settled, a snapshot of its row (numbers as text, times as epoch milliseconds: exact), delivered later by the worker.
 */
export const callbackQueued = (sql: SqlClient.SqlClient, t: Tables) =>
  sql`, callback_queued as (
      insert into ${t.callback_deliveries} (id, account_id, order_id, payload)
      select gen_random_uuid(), u.account_id, u.id, jsonb_build_object(
               'id', u.id, 'number', u.number::text, 'package_id', u.package_id, 'quantity', u.quantity,
               'player_id', u.player_id, 'extra', u.extra, 'price_amount', u.price_amount::text,
               'currency', u.currency, 'status', u.status, 'dispatch_state', u.dispatch_state,
               'provider_id', u.provider_id, 'reference', u.reference, 'attempts', u.attempts,
               'last_message', u.last_message, 'pin', u.pin, 'message', u.message,
               'created_at', ${epochMillis(sql, "created_at")}, 'sent_at', ${epochMillis(sql, "sent_at")},
               'last_checked_at', ${epochMillis(sql, "last_checked_at")},
               'completed_at', ${epochMillis(sql, "completed_at")})
      from updated u join ${t.accounts} a on a.id = u.account_id
      where a.callback_url is not null
      order by u.id)`

const epochMillis = (sql: SqlClient.SqlClient, column: string) =>
  sql`floor(extract(epoch from u.${sql(column)}) * 1000)::bigint`
