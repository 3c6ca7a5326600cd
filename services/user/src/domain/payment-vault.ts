/** A card as the vault needs it: the provider's token and what identifies the card to its owner. */
export interface CardToVault {
  userId: string;
  provider: string;
  providerToken: string;
  brand: string;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
  idempotencyKey: string;
}

/** What the wallet needs from the payment service (a gRPC client in production). */
export interface PaymentVault {
  /** Vaults the card, once per (user, idempotency key); returns the vault reference. UNAVAILABLE when down. */
  vault(card: CardToVault): Promise<string>;
  /** Deletes the vaulted method (done as well when it was already gone). UNAVAILABLE when down. */
  remove(userId: string, paymentMethodRef: string): Promise<void>;
}
