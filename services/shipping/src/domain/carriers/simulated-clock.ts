import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The simulated carrier's time: real time plus an offset kept in `simulated_carrier_clock`, which
 * AdvanceSimulatedCarrier raises. Shared by every replica, and never going back.
 */
export interface SimulatedClock {
  now(): Promise<Date>;
  /** Moves the clock forward by `ms` and answers its new time. */
  advance(ms: number): Promise<Date>;
}

export function databaseClock(em: () => EntityManager): SimulatedClock {
  return {
    async now() {
      const [row] = await em().execute<{ offset_ms: string }[]>(
        'SELECT offset_ms FROM simulated_carrier_clock WHERE id',
      );
      return new Date(Date.now() + Number(row?.offset_ms ?? 0));
    },
    async advance(ms) {
      // One autocommit statement: two advances at once add up.
      const [row] = await em().execute<{ offset_ms: string }[]>(
        `INSERT INTO simulated_carrier_clock (id, offset_ms, updated_at) VALUES (true, ?, now())
         ON CONFLICT (id) DO UPDATE
           SET offset_ms = simulated_carrier_clock.offset_ms + EXCLUDED.offset_ms, updated_at = now()
         RETURNING offset_ms`,
        [ms],
      );
      return new Date(Date.now() + Number(row!.offset_ms));
    },
  };
}
