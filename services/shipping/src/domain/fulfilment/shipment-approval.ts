/**
 * The order service's consent before a parcel of an order leaves (OrderService/ApproveShipment):
 * decided under the order's lock, as a cancellation is, so that a parcel never leaves for an order
 * being cancelled, nor an order cancelled once a parcel left.
 */
export interface ShipmentApproval {
  /**
   * Resolves once the order agrees; throws its refusal as it is (FAILED_PRECONDITION when the order
   * was cancelled), or UNAVAILABLE when the order service cannot be asked (nothing leaves then).
   */
  approve(orderId: string): Promise<void>;
}
