import { expect } from 'chai';
import { NatsNames, streamNameOf } from './nats-names.js';

describe('lib/events: names on the NATS server', () => {
  it('are the names deployments have always had without a namespace', () => {
    for (const names of [new NatsNames(), new NatsNames(undefined), new NatsNames('')]) {
      expect(names.stream('order')).to.equal('EVENTS_ORDER');
      expect(names.streamSubjects('order')).to.deep.equal(['order.>']);
      expect(names.subject('order.order.confirmed')).to.equal('order.order.confirmed');
      expect(names.plainSubject('order.order.confirmed')).to.equal('order.order.confirmed');
      expect(names.durable('shipping-orders')).to.equal('shipping-orders');
      expect(names.streamPrefix()).to.equal(undefined);
    }
    expect(streamNameOf('shipping')).to.equal('EVENTS_SHIPPING');
  });

  it('prefix the stream, its subjects and the durables with the namespace', () => {
    const names = new NatsNames('t1a2b3c');
    expect(names.stream('order')).to.equal('t1a2b3c_EVENTS_ORDER');
    expect(names.streamSubjects('order')).to.deep.equal(['t1a2b3c.order.>']);
    expect(names.subject('order.order.confirmed')).to.equal('t1a2b3c.order.order.confirmed');
    expect(names.subject('order.order.*')).to.equal('t1a2b3c.order.order.*');
    expect(names.durable('shipping-orders')).to.equal('t1a2b3c_shipping-orders');
    expect(names.streamPrefix()).to.equal('t1a2b3c_EVENTS_');
    expect(streamNameOf('shipping', 't1a2b3c')).to.equal('t1a2b3c_EVENTS_SHIPPING');
  });

  it('give back the plain subject of a delivery, which is all the rest of the platform sees', () => {
    const names = new NatsNames('t1a2b3c');
    expect(names.plainSubject('t1a2b3c.order.order.confirmed')).to.equal('order.order.confirmed');
    expect(names.plainSubject(names.subject('auth.user.registered'))).to.equal('auth.user.registered');
  });
});
