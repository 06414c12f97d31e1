/**
 * The statements of the hot-path comparison. Every contender runs the same text with the same
 * values through its pool's `query()` (text protocol), into its own insert table.
 */
import type { ContenderId } from './contenders.js';

export const WORKLOAD_IDS = ['select1', 'pk', 'insert'] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

/** Rows in the `item` table the primary-key reads pick from. */
export const ITEM_ROWS = 1_000;

/** One statement shape. */
export interface Workload {
  readonly id: WorkloadId;
  readonly title: string;
  readonly sql: (contender: ContenderId) => string;
  /** Values for the i-th statement of a worker. */
  readonly values: (i: number) => readonly unknown[];
}

/** The table a contender's inserts go to (one each, so no contender inserts into another's). */
export const insertTable = (contender: ContenderId): string => `ins_${contender}`;

/**
 * @example
 * WORKLOADS.pk.sql('goneaway'); // 'SELECT id, name FROM item WHERE id = ?'
 */
export const WORKLOADS: Readonly<Record<WorkloadId, Workload>> = {
  select1: { id: 'select1', title: 'SELECT 1', sql: () => 'SELECT 1', values: () => [] },
  pk: {
    id: 'pk',
    title: 'primary-key SELECT',
    sql: () => 'SELECT id, name FROM item WHERE id = ?',
    values: (i) => [1 + ((Math.imul(i, 2_654_435_761) >>> 0) % ITEM_ROWS)],
  },
  insert: {
    id: 'insert',
    title: 'small INSERT',
    sql: (contender) => `INSERT INTO ${insertTable(contender)} (v, note) VALUES (?, ?)`,
    values: (i) => [i, 'bench'],
  },
};
