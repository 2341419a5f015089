import { openPostgres } from '/work/main/src/db/postgres.ts';
import { lockAndRead } from '/work/main/src/db/repos/scan-flight.repo.ts';
import { lockAndReadForPayment } from '/work/main/src/db/repos/order-flight.repo.ts';
import { orderViewCall } from '/work/main/src/db/repos/order-view.repo.ts';
import { sql } from 'drizzle-orm';
const db = await openPostgres('postgres://postgres@127.0.0.1:5432/velvet_local', { max: 1 });
const t = (await db.db.execute(sql`SELECT id, event_id, order_id FROM tickets WHERE status = 'valid' LIMIT 20`)).rows as any[];
for (let i = 0; i < 20; i++) {
  const k = t[i % t.length];
  await db.flights(async (tx) => { await tx.send(...lockAndRead({ eventId: k.event_id, ticketId: k.id, scannerId: 'gate-1', nonce: 'n' + i, at: new Date(), windowSeconds: 60 })); await tx.send(...lockAndReadForPayment(k.order_id, new Date())); });
  await db.run(orderViewCall(k.order_id));
}
const r = await db.db.execute(sql`SELECT name, generic_plans, custom_plans FROM pg_prepared_statements`);
console.log(r.rows);
await db.close();
