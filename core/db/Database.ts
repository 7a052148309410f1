// A thin wrapper over one DuckDB instance: bound parameters only, typed rows back, SQL files by name.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { ExitCode, StrataError } from '../errors.ts';
import { projectRoot } from '../files/projectRoot.ts';

export type Params = Record<string, DuckDBValue>;
export type Row = Record<string, unknown>;

const sqlRoot = join(projectRoot, 'sql');
/** For profiling: when set, every statement run through this class appends its wall time to this file (JSON lines). */
const sqlTimingsFile = process.env['STRATA_SQL_TIMINGS'];

export interface DatabaseSettings {
  /** Path of the DuckDB file, or ':memory:'. */
  path: string;
  memoryLimit?: string;
  threads?: number;
  tempDirectory?: string;
  /** Open for reading only: DuckDB refuses any change and never creates a missing file. */
  readOnly?: boolean;
}

export class Database {
  private constructor(
    readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
    private readonly ownsInstance = true,
  ) {}

  static async open(settings: DatabaseSettings): Promise<Database> {
    // No network: the extensions Strata uses are built in, so DuckDB is never allowed to fetch one.
    const options: Record<string, string> = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' };
    if (settings.memoryLimit) options['memory_limit'] = settings.memoryLimit;
    if (settings.threads) options['threads'] = String(settings.threads);
    if (settings.tempDirectory) options['temp_directory'] = settings.tempDirectory;
    if (settings.readOnly) options['access_mode'] = 'READ_ONLY';
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(settings.path, options);
    } catch (error) {
      throw describeOpenError(settings.path, error);
    }
    const connection = await instance.connect();
    return new Database(instance, connection, settings.path);
  }

  /** Runs a statement (or several) with bound parameters. */
  async run(sql: string, params?: Params): Promise<void> {
    await timed(sql, () => this.connection.run(sql, usedParams(sql, params)));
  }

  /** Runs a query and returns its rows as plain JS values (bigint for BIGINT, Date-like objects otherwise). */
  async rows<T = Row>(sql: string, params?: Params): Promise<T[]> {
    const reader = await timed(sql, () => this.connection.runAndReadAll(sql, usedParams(sql, params)));
    return reader.getRowObjectsJS() as T[];
  }

  /** Runs a query and returns its rows as JSON-safe values (numbers as numbers or strings, dates as strings). */
  async rowsJson<T = Row>(sql: string, params?: Params): Promise<T[]> {
    const reader = await timed(sql, () => this.connection.runAndReadAll(sql, usedParams(sql, params)));
    return reader.getRowObjectsJson() as T[];
  }

  async value<T = unknown>(sql: string, params?: Params): Promise<T> {
    const reader = await timed(sql, () => this.connection.runAndReadAll(sql, usedParams(sql, params)));
    const rows = reader.getRowsJS();
    return rows[0]?.[0] as T;
  }

  /** Runs `fn` inside one transaction: all of it is committed, or none of it. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      const result = await fn();
      await this.connection.run('COMMIT');
      return result;
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * A second connection to the same database, for DuckDB work that can run while this connection's caller
   * computes in JavaScript. It has its own temporary tables; close it when done (the instance stays open).
   */
  async fork(): Promise<Database> {
    return new Database(this.instance, await this.instance.connect(), this.path, false);
  }

  close(): void {
    this.connection.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}

async function timed<T>(sql: string, work: () => Promise<T>): Promise<T> {
  if (!sqlTimingsFile) return work();
  const started = performance.now();
  const result = await work();
  const ms = Math.round(performance.now() - started);
  appendFileSync(sqlTimingsFile, `${JSON.stringify({ ms, sql: sql.replace(/\s+/g, ' ').trim().slice(0, 200) })}\n`);
  return result;
}

/**
 * Keeps only the parameters a statement names, so one parameter set (say $as_of and $lookback_days)
 * can be passed to every SQL file of a stage; DuckDB refuses a parameter the statement does not use.
 */
export function usedParams(sql: string, params: Params | undefined): Params | undefined {
  if (!params) return undefined;
  const code = sql.replace(/--[^\n]*/g, '');
  const used: Params = {};
  for (const [name, value] of Object.entries(params)) {
    if (new RegExp(`\\$${name}(?![A-Za-z0-9_])`).test(code)) used[name] = value;
  }
  return used;
}

/** Reads a SQL file from sql/, e.g. sqlFile('intermediate/features/person_features.sql'). */
export function sqlFile(relativePath: string): string {
  return readFileSync(join(sqlRoot, relativePath), 'utf8');
}

/**
 * Fills a SQL file's slots ({{name}}) with SQL that Strata generates itself: an identifier quoted by
 * quoteIdentifier, or an expression built from a registry in code (the model terms). Never a value: values are
 * bound parameters. Every slot given must be in the file, and none may be left unfilled.
 */
export function fillSqlSlots(sql: string, slots: Record<string, string>): string {
  let filled = sql;
  for (const [name, code] of Object.entries(slots)) {
    const slot = `{{${name}}}`;
    if (!filled.includes(slot)) throw new Error(`the SQL has no slot ${slot}`);
    filled = filled.replaceAll(slot, () => code);
  }
  const left = /\{\{[A-Za-z0-9_]+\}\}/.exec(filled);
  if (left) throw new Error(`the SQL slot ${left[0]} was not filled`);
  return filled;
}

/** Quotes an identifier for DuckDB. Identifiers are our own table and column names, never user data. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** DuckDB refused to open the file because another process has it open (exit 4). */
export class DatabaseInUseError extends StrataError {
  constructor(
    readonly databasePath: string,
    /** The process holding it, as DuckDB names it. */
    readonly holderPid: number | null,
    cause: unknown,
  ) {
    super(
      `the database ${databasePath} is in use by another process${holderPid !== null ? ` (pid ${holderPid})` : ''}; wait for that run to finish`,
      ExitCode.databaseLocked,
      { cause },
    );
    this.name = 'DatabaseInUseError';
  }
}

function describeOpenError(path: string, error: unknown): StrataError {
  const message = error instanceof Error ? error.message : String(error);
  const lock = /Conflicting lock is held in (.*?)(?: \(PID (\d+)\))?/.exec(message);
  if (lock) {
    const pid = /PID (\d+)/.exec(message)?.[1];
    return new DatabaseInUseError(path, pid === undefined ? null : Number(pid), error);
  }
  return new StrataError(`cannot open the database ${path}: ${message.split('\n')[0]}`, ExitCode.failed, { cause: error });
}
