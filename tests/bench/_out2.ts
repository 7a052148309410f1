import { copyFileSync, rmSync } from 'node:fs';
import { Database } from '../../pipeline/db/Database.ts';
import { initDatabase } from '../../pipeline/db/initDatabase.ts';
import { writeCaseFindingLists } from '../../pipeline/output/writeOutputs.ts';
copyFileSync(process.argv[2]!, '/tmp/out.duckdb');
const db = await Database.open({ path: '/tmp/out.duckdb', memoryLimit: '3GB' });
await initDatabase(db);
for (const nosync of [false, true]) {
  rmSync('/tmp/outtest', { recursive: true, force: true });
  if (nosync) { const fs = await import('node:fs'); (fs.default as any).fsyncSync = () => {}; (await import('node:module')).syncBuiltinESMExports(); const h = await import('node:fs/promises'); const fh = await h.open('/tmp/x', 'w'); Object.getPrototypeOf(fh).sync = async () => {}; await fh.close(); }
  const t0 = performance.now();
  const lists = await writeCaseFindingLists(db, '/tmp/outtest', 2, '2026-11-22', { as_of: '2026-11-22' }); console.log('lists', nosync ? 'no fsync' : 'fsync', lists.length, ((performance.now() - t0) / 1000).toFixed(2));
}
db.close();
