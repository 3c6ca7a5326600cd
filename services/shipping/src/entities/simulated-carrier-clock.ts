import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The simulated carrier's clock, one row: how far ahead of real time it runs (`offsetMs`, only ever
 * raised by AdvanceSimulatedCarrier). No row: no offset.
 */
export const SimulatedCarrierClock = defineEntity({
  name: 'SimulatedCarrierClock',
  tableName: 'simulated_carrier_clock',
  properties: {
    id: p.boolean().primary().default(true),
    offsetMs: p.bigint('number').default(0),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type SimulatedCarrierClock = InferEntity<typeof SimulatedCarrierClock>;
