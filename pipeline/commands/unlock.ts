// `strata unlock`: clears a run lock on purpose, the one case a run never does by itself: a lock held from
// another host (a database on a shared disk), whose processes this machine cannot see. Logged.
import { hostname, userInfo } from 'node:os';
import type { CommandModule } from 'yargs';
import { exitWithError } from '../exitWithError.ts';
import { Logger, type LogFormat } from '../../core/logging/Logger.ts';
import { RunLock } from '../runs/RunLock.ts';

interface UnlockArgs {
  db: string;
  'force-foreign-host': boolean;
  'log-format'?: 'auto' | LogFormat;
}

export const unlockCommand: CommandModule<object, UnlockArgs> = {
  command: 'unlock',
  describe: "Clear the database's run lock: one left by a dead process on this host, or, with --force-foreign-host, one held from another host",
  builder: (yargs) =>
    yargs
      .option('db', { type: 'string', demandOption: true, describe: 'DuckDB database file whose lock (<db>.lock) to clear' })
      .option('force-foreign-host', {
        type: 'boolean',
        default: false,
        describe: 'Also clear a lock held from another host; first make sure no Strata process runs there (docs/operations.md)',
      }),
  handler: (args) => {
    const log = Logger.create(args['log-format'] ?? 'auto');
    try {
      const lockPath = RunLock.lockPathFor(args.db);
      const cleared = RunLock.clear(args.db, args['force-foreign-host']);
      if (cleared === null) {
        log.info('no_lock', `no lock on ${args.db} (${lockPath}); nothing to clear`, { lock: lockPath });
        return;
      }
      const by = { cleared_by_host: hostname(), cleared_by_user: userInfo().username, cleared_by_pid: process.pid, lock: lockPath };
      if (cleared === 'unreadable') {
        log.warn('lock_cleared', `cleared ${lockPath}, which was not a lock file Strata could read`, by);
        return;
      }
      const where = cleared.host === hostname() ? 'no longer running' : `held from another host, ${cleared.host}, cleared with --force-foreign-host`;
      log.warn('lock_cleared', `cleared the lock of ${cleared.kind} ${cleared.run_id} (pid ${cleared.pid} on ${cleared.host}, started ${cleared.started_at}), ${where}`, {
        ...by, holder: cleared,
      });
    } catch (error) {
      exitWithError(error);
    }
  },
};
