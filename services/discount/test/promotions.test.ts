import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  CreatePromotionRequest,
  PromotionStatus,
  UpdatePromotionRequest,
} from '../../../gen/ecommerce/discount/v1/discount.js';
import { newId } from '../../../lib/ids.js';
import { createPromotion } from '../src/domain/promotions/create-promotion.js';
import { promotionMessage, ruleMessage } from '../src/domain/promotions/promotion-view.js';
import { getPromotion, listPromotions } from '../src/domain/promotions/read-promotions.js';
import type { RuleInput } from '../src/domain/promotions/rule-input.js';
import { setPromotionStatus } from '../src/domain/promotions/set-promotion-status.js';
import { updatePromotion } from '../src/domain/promotions/update-promotion.js';
import { failureOf, openDiscountScratch, type DiscountScratch } from './support.js';

/** Promotions: rules typed and checked on write, stored and read back whole, statuses, running set. */
describe('discount promotions: rules, statuses and the running set', function () {
  this.timeout(60_000);
  let scratch: DiscountScratch;
  const em = () => scratch.db.orm.em.fork();

  before(async () => {
    scratch = await openDiscountScratch('discount_promotions');
  });
  after(async () => {
    await scratch?.db.drop();
  });

  const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });
  const target = (productIds: string[] = [], categoryIds: string[] = []) => ({
    productIds,
    categoryIds,
    excludedProductIds: [],
    excludedCategoryIds: [],
  });
  const line = (productId: string, categoryIds: string[] = []) => ({
    lineId: newId(),
    productId,
    variantId: newId(),
    categoryIds,
    unitPrice: 1000,
    quantity: 1,
  });

  it('stores every kind of rule and reads it back exactly as sent', async () => {
    const product = newId();
    const category = newId();
    const rules: RuleInput[] = [
      {
        $case: 'productDiscount',
        value: { target: target([product]), benefit: { $case: 'amountOffPerUnit', value: eur(150) } },
      },
      {
        $case: 'buyXGetY',
        value: {
          target: target([], [category]),
          buyQuantity: 2,
          getQuantity: 1,
          percentOffBp: 10000,
          maxApplications: 3,
        },
      },
      {
        $case: 'volumeTiers',
        value: {
          target: target(),
          tiers: [
            { minQuantity: 5, percentOffBp: 500 },
            { minQuantity: 10, percentOffBp: 1000 },
          ],
        },
      },
      {
        $case: 'bundle',
        value: {
          components: [
            { target: target([product]), quantity: 1 },
            { target: target([], [category]), quantity: 2 },
          ],
          percentOffBp: 1500,
          maxApplications: 0,
        },
      },
      {
        $case: 'spendAmount',
        value: {
          target: target(),
          minSubtotal: eur(15000),
          benefit: { $case: 'amountOff', value: eur(1000) },
        },
      },
      { $case: 'freeShipping', value: { target: target(), minSubtotal: eur(5000) } },
    ];
    for (const rule of rules) {
      const created = await scratch.promotion({ currencyCode: 'EUR', rule });
      const read = await getPromotion(em(), created.id);
      expect(ruleMessage(read.rule, 'EUR'), rule.$case).to.deep.equal(rule);
    }
  });

  it('refuses every field at fault of a rule at once, named from the request', async () => {
    const refused = await failureOf(
      createPromotion(
        em(),
        scratch.running,
        CreatePromotionRequest.fromPartial({
          name: ' ',
          priority: 2_000_000,
          startsAt: new Date('2027-02-01T00:00:00Z'),
          endsAt: new Date('2027-01-01T00:00:00Z'),
          rule: {
            $case: 'bundle',
            value: {
              components: [{ target: { ...target(['nope']), excludedCategoryIds: ['x'] }, quantity: 0 }],
              percentOffBp: 10001,
              maxApplications: -1,
            },
          },
        }),
      ),
    );
    expect(refused.code).to.equal(status.INVALID_ARGUMENT);
    expect(refused.violations!.map((v) => v.field)).to.deep.equal([
      'ends_at',
      'name',
      'priority',
      'bundle.components',
      'bundle.components[0].target.product_ids[0]',
      'bundle.components[0].target.excluded_category_ids[0]',
      'bundle.components[0].quantity',
      'bundle.percent_off_bp',
      'bundle.max_applications',
    ]);
  });

  it('an amount needs the promotion’s currency, in that currency; tiers must rise', async () => {
    const noCurrency = await failureOf(
      scratch.promotion({
        rule: {
          $case: 'spendAmount',
          value: { target: target(), minSubtotal: eur(100), benefit: { $case: 'percentOffBp', value: 1000 } },
        },
      }),
    );
    expect(noCurrency.violations).to.deep.equal([
      { field: 'currency_code', description: 'is required when the rule holds an amount' },
    ]);
    const otherCurrency = await failureOf(
      scratch.promotion({
        currencyCode: 'USD',
        rule: {
          $case: 'productDiscount',
          value: { target: target(), benefit: { $case: 'amountOffPerUnit', value: eur(1) } },
        },
      }),
    );
    expect(otherCurrency.violations).to.deep.equal([
      {
        field: 'product_discount.amount_off_per_unit.currency_code',
        description: 'must be USD, the currency of the whole',
      },
    ]);
    const tiers = await failureOf(
      scratch.promotion({
        rule: {
          $case: 'volumeTiers',
          value: {
            target: target(),
            tiers: [
              { minQuantity: 5, percentOffBp: 500 },
              { minQuantity: 5, percentOffBp: 1000 },
            ],
          },
        },
      }),
    );
    expect(tiers.violations).to.deep.equal([
      { field: 'volume_tiers.tiers[1].min_quantity', description: 'must be more than the tier before' },
    ]);
    const none = await failureOf(scratch.promotion({ name: 'No rule' }));
    expect(none.violations!.map((v) => v.field)).to.deep.equal(['rule']);
  });

  it('an update keeps what it does not set, and refuses a currency change that would reread the amounts', async () => {
    const created = await scratch.promotion({
      currencyCode: 'EUR',
      priority: 3,
      rule: {
        $case: 'spendAmount',
        value: { target: target(), minSubtotal: eur(100), benefit: { $case: 'percentOffBp', value: 1000 } },
      },
    });
    const renamed = await updatePromotion(
      em(),
      scratch.running,
      UpdatePromotionRequest.fromPartial({ promotionId: created.id, name: 'Renamed', stackable: true }),
    );
    expect(renamed).to.deep.include({ name: 'Renamed', stackable: true, priority: 3, currency: 'EUR' });
    expect(renamed.rule).to.deep.equal(created.rule);
    const refused = await failureOf(
      updatePromotion(
        em(),
        scratch.running,
        UpdatePromotionRequest.fromPartial({ promotionId: created.id, currencyCode: 'USD' }),
      ),
    );
    expect(refused.violations).to.deep.equal([
      {
        field: 'currency_code',
        description: "the rule's amounts are in EUR: send the rule again in the new currency",
      },
    ]);
  });

  it('statuses: draft → active ⇄ paused; a draft cannot be paused; past its end it is expired and cannot be activated', async () => {
    const draft = await scratch.promotion({
      activate: false,
      rule: { $case: 'freeShipping', value: { target: target(), minSubtotal: undefined } },
    });
    expect(draft.status).to.equal('draft');
    const pause = await failureOf(
      setPromotionStatus(em(), scratch.running, {
        promotionId: draft.id,
        status: PromotionStatus.PROMOTION_STATUS_PAUSED,
      }),
    );
    expect([pause.code, pause.reason]).to.deep.equal([
      status.FAILED_PRECONDITION,
      'INVALID_STATUS_TRANSITION',
    ]);
    const active = await setPromotionStatus(em(), scratch.running, {
      promotionId: draft.id,
      status: PromotionStatus.PROMOTION_STATUS_ACTIVE,
    });
    expect(active.status).to.equal('active');
    const again = await setPromotionStatus(em(), scratch.running, {
      promotionId: draft.id,
      status: PromotionStatus.PROMOTION_STATUS_ACTIVE,
    });
    expect(again.updatedAt).to.deep.equal(active.updatedAt);
    expect(
      (
        await setPromotionStatus(em(), scratch.running, {
          promotionId: draft.id,
          status: PromotionStatus.PROMOTION_STATUS_PAUSED,
        })
      ).status,
    ).to.equal('paused');

    const ended = await scratch.promotion({
      activate: false,
      startsAt: new Date(Date.now() - 2 * 86_400_000),
      endsAt: new Date(Date.now() - 86_400_000),
      rule: { $case: 'freeShipping', value: { target: target(), minSubtotal: undefined } },
    });
    expect(promotionMessage(ended, new Date()).status).to.equal(PromotionStatus.PROMOTION_STATUS_EXPIRED);
    const refused = await failureOf(
      setPromotionStatus(em(), scratch.running, {
        promotionId: ended.id,
        status: PromotionStatus.PROMOTION_STATUS_ACTIVE,
      }),
    );
    expect([refused.reason, refused.metadata!.promotion_id]).to.deep.equal(['PROMOTION_EXPIRED', ended.id]);
    const listed = await listPromotions(em(), {
      status: PromotionStatus.PROMOTION_STATUS_EXPIRED,
      kind: 0,
      page: undefined,
    });
    expect(listed.promotions.map((p) => p.id)).to.include(ended.id);
    expect(listed.promotions.map((p) => p.id)).not.to.include(draft.id);
  });

  it('the running set holds active promotions in their window, indexed by what they name', async () => {
    const product = newId();
    const category = newId();
    const rule = (t: ReturnType<typeof target>): RuleInput => ({
      $case: 'productDiscount',
      value: { target: t, benefit: { $case: 'percentOffBp', value: 1000 } },
    });
    const byProduct = await scratch.promotion({ rule: rule(target([product])) });
    const byCategory = await scratch.promotion({ rule: rule(target([], [category])) });
    const later = await scratch.promotion({
      startsAt: new Date(Date.now() + 3_600_000),
      rule: rule(target([product])),
    });
    const draft = await scratch.promotion({ activate: false, rule: rule(target([product])) });
    // Created through this replica: running at once.
    const ids = (lines: ReturnType<typeof line>[]) =>
      scratch.running.candidatesFor(lines, new Date()).map((p) => p.id);
    const mine = ids([line(product), line(newId(), [category])]);
    expect(mine).to.include.members([byProduct.id, byCategory.id]);
    expect(mine).not.to.include.members([later.id, draft.id]);
    expect(ids([line(newId())])).not.to.include.members([byProduct.id, byCategory.id]);
    expect(ids([line(product)])).to.include(byProduct.id);
    expect(
      scratch.running.candidatesFor([line(product)], new Date(Date.now() + 7_200_000)).map((p) => p.id),
    ).to.include(later.id);
    // Paused: gone at once.
    await setPromotionStatus(em(), scratch.running, {
      promotionId: byProduct.id,
      status: PromotionStatus.PROMOTION_STATUS_PAUSED,
    });
    expect(ids([line(product)])).not.to.include(byProduct.id);
  });
});
