/**
 * The ten services of the platform and the gRPC port each listens on by default (in both run
 * modes, so a client's configuration does not change between them). This is topology, not
 * service code: lib/ uses it to find services, never to know what they do.
 */
export const SERVICE_NAMES = [
  'auth',
  'user',
  'product',
  'order',
  'payment',
  'notification',
  'cart',
  'discount',
  'shipping',
  'return',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

export const DEFAULT_GRPC_PORTS: Record<ServiceName, number> = {
  auth: 50051,
  user: 50052,
  product: 50053,
  order: 50054,
  payment: 50055,
  notification: 50056,
  cart: 50057,
  discount: 50058,
  shipping: 50059,
  return: 50060,
};

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}
