import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { NotificationServiceClient } from '../../../gen/ecommerce/notification/v1/notification.js';
import { NotificationChannel } from '../../../gen/ecommerce/notification/v1/events.js';
import { CartAbandonedEvent, OrderConfirmedEvent } from '../../../lib/events/catalog.js';
import { newId } from '../../../lib/ids.js';
import { money } from '../../../lib/money.js';
import { eventually } from '../../../lib/testing/eventually.js';
import { failureOf, plainClient } from '../../../test/support/clients.js';
import { startTestMesh, type TestMesh } from '../../../test/support/mesh.js';
import { accountToken, internalToken } from '../../../test/support/tokens.js';
import { CUSTOMER_TYPES } from '../src/domain/notification-types.js';
import { envelopeOf, eventsOf, orderConfirmed, publishEnvelope, uniqueEmail } from './support.js';

const EMAIL = NotificationChannel.NOTIFICATION_CHANNEL_EMAIL;
const IN_APP = NotificationChannel.NOTIFICATION_CHANNEL_IN_APP;

describe('notification service: RPCs', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let client: ReturnType<typeof plainClient<typeof NotificationServiceClient.service>>;
  let writer: string;
  let reader: string;
  let events: Awaited<ReturnType<typeof eventsOf>>;

  before(async () => {
    mesh = await startTestMesh(['auth', 'notification'], { env: { NOTIFICATION_SEND_INTERVAL_MS: '100' } });
    client = plainClient(NotificationServiceClient, mesh.address('notification'));
    events = await eventsOf(mesh);
    writer = (
      await accountToken(mesh, { roles: ['staff'], permissions: ['notification:read', 'notification:write'] })
    ).token;
    reader = (await accountToken(mesh, { roles: ['staff'], permissions: ['notification:read'] })).token;
  });
  after(async () => {
    client?.close();
    await events?.close();
    await mesh?.stop();
  });

  describe('templates', () => {
    const draft = {
      name: 'autumn_news',
      subject: 'News for {{first_name}}',
      bodyText: 'Hi {{first_name}}',
      bodyHtml: '<p>Hi {{first_name}}</p>',
      variables: ['first_name'],
      isActive: true,
    };

    it('lets a holder of notification:write create, update and delete, and a reader read and preview', async () => {
      const { template } = await client.createTemplate(draft, { token: writer });
      expect(template).to.include({ name: 'autumn_news', isActive: true });
      const id = template!.templateId;
      expect((await client.getTemplate({ templateId: id }, { token: reader })).template).to.deep.equal(
        template,
      );

      const { templates } = await client.listTemplates(
        { page: { pageSize: 100, pageToken: '' } },
        { token: reader },
      );
      expect(templates.map((t) => t.name)).to.include.members([
        'autumn_news',
        'order_confirmed',
        'email_verification',
      ]);

      const preview = await client.previewTemplate(
        {
          templateId: id,
          subject: '',
          bodyText: '',
          bodyHtml: '',
          variables: [],
          sampleData: { first_name: '<Ann>' },
        },
        { token: reader },
      );
      expect(preview).to.deep.equal({
        subject: 'News for <Ann>',
        bodyText: 'Hi <Ann>',
        bodyHtml: '<p>Hi &lt;Ann&gt;</p>',
      });

      const { template: updated } = await client.updateTemplate(
        {
          templateId: id,
          subject: 'Autumn',
          bodyText: 'Hi',
          bodyHtml: '<p>Hi</p>',
          variables: [],
          isActive: false,
        },
        { token: writer },
      );
      expect(updated).to.include({ subject: 'Autumn', isActive: false });

      for (const call of [
        client.createTemplate({ ...draft, name: 'reader_made' }, { token: reader }),
        client.updateTemplate({ ...draft, templateId: id }, { token: reader }),
        client.deleteTemplate({ templateId: id }, { token: reader }),
      ]) {
        expect((await failureOf(call)).code).to.equal(status.PERMISSION_DENIED);
      }
      const customer = await accountToken(mesh);
      expect(
        (await failureOf(client.getTemplate({ templateId: id }, { token: customer.token }))).code,
      ).to.equal(status.PERMISSION_DENIED);
      expect((await failureOf(client.listTemplates({ page: undefined }))).code).to.equal(
        status.UNAUTHENTICATED,
      );

      await client.deleteTemplate({ templateId: id }, { token: writer });
      const gone = await failureOf(client.getTemplate({ templateId: id }, { token: reader }));
      expect(gone.code).to.equal(status.NOT_FOUND);
    });

    it('renders the very next receipt from a template edited through UpdateTemplate, and none while it is inactive', async () => {
      const db = async () => (await mesh.database('notification')).orm.em.fork();
      const subjectsOf = async (eventId: string) =>
        (
          await (
            await db()
          ).execute<{ subject: string }[]>('SELECT subject FROM notifications WHERE event_id = ?', [eventId])
        ).map((row) => row.subject);
      const receipt = async () => {
        const order = orderConfirmed({ guestEmail: uniqueEmail('receipt') });
        const envelope = envelopeOf(OrderConfirmedEvent, order);
        await publishEnvelope(events.transport, OrderConfirmedEvent.subject, envelope);
        // Handled once the order is remembered (whether or not a mail is written).
        await eventually(
          async () =>
            (await (await db()).execute('SELECT 1 FROM order_contacts WHERE order_id = ?', [order.orderId]))
              .length === 1,
        );
        return { order, subjects: await subjectsOf(envelope.id) };
      };
      const { templates } = await client.listTemplates(
        { page: { pageSize: 100, pageToken: '' } },
        { token: reader },
      );
      const original = templates.find((t) => t.name === 'order_confirmed')!;
      const edit = (change: { subject: string; isActive: boolean }) =>
        client.updateTemplate({ ...original, ...change }, { token: writer });
      try {
        const first = await receipt();
        expect(first.subjects).to.deep.equal([`Order ${first.order.orderNumber} confirmed`]);

        await edit({ subject: 'Your receipt for {{order_number}}', isActive: true });
        const edited = await receipt();
        expect(edited.subjects).to.deep.equal([`Your receipt for ${edited.order.orderNumber}`]);

        await edit({ subject: 'Your receipt for {{order_number}}', isActive: false });
        expect((await receipt()).subjects).to.deep.equal([]);

        await edit({ subject: original.subject, isActive: true });
        const restored = await receipt();
        expect(restored.subjects).to.deep.equal([`Order ${restored.order.orderNumber} confirmed`]);
      } finally {
        await edit({ subject: original.subject, isActive: true });
      }
    });

    it('refuses to save a template using a variable it does not declare, naming the variable', async () => {
      const failure = await failureOf(
        client.createTemplate(
          { ...draft, name: 'sloppy', bodyText: 'Hi {{first_name}}, use {{coupon}}' },
          { token: writer },
        ),
      );
      expect(failure.code).to.equal(status.INVALID_ARGUMENT);
      expect(failure.violations).to.deep.equal([
        { field: 'body_text', description: 'uses the variable coupon, which is not declared in variables' },
      ]);
      const missing = await failureOf(client.getTemplate({ templateId: 'not-a-uuid' }, { token: reader }));
      expect(missing.code).to.equal(status.INVALID_ARGUMENT);
      expect(missing.violations).to.deep.equal([{ field: 'template_id', description: 'must be a UUID' }]);
    });
  });

  describe('preferences', () => {
    it('answers every customer type with its defaults, then the caller’s choices', async () => {
      const { token } = await accountToken(mesh);
      const { preferences } = await client.getMyNotificationPreferences({}, { token });
      expect(preferences.map((p) => p.notificationType)).to.deep.equal(CUSTOMER_TYPES.map((t) => t.name));
      for (const preference of preferences)
        expect(preference).to.include({ emailEnabled: true, inAppEnabled: true });
      expect(preferences.filter((p) => p.transactional).map((p) => p.notificationType)).to.deep.equal([
        'account_deactivated',
        'account_reactivated',
        'email_verification',
        'order_cancelled',
        'order_confirmed',
        'password_reset',
        'refund_issued',
        'return_approved',
        'return_rejected',
      ]);

      // Both channels of one type at once: both land.
      await Promise.all([
        client.setMyNotificationPreference(
          { notificationType: 'order_shipped', channel: EMAIL, enabled: false },
          { token },
        ),
        client.setMyNotificationPreference(
          { notificationType: 'order_shipped', channel: IN_APP, enabled: false },
          { token },
        ),
      ]);
      const after = (await client.getMyNotificationPreferences({}, { token })).preferences;
      expect(after.find((p) => p.notificationType === 'order_shipped')).to.deep.equal({
        notificationType: 'order_shipped',
        emailEnabled: false,
        inAppEnabled: false,
        transactional: false,
      });
      const { preference } = await client.setMyNotificationPreference(
        { notificationType: 'order_shipped', channel: EMAIL, enabled: true },
        { token },
      );
      expect(preference).to.include({ emailEnabled: true, inAppEnabled: false });
    });

    it('refuses an unknown type, no channel, turning off transactional email, and a platform service', async () => {
      const { token } = await accountToken(mesh);
      const unknown = await failureOf(
        client.setMyNotificationPreference(
          { notificationType: 'low_stock_alert', channel: EMAIL, enabled: false },
          { token },
        ),
      );
      expect(unknown.code).to.equal(status.INVALID_ARGUMENT);
      expect(unknown.violations[0]!.field).to.equal('notification_type');
      const noChannel = await failureOf(
        client.setMyNotificationPreference(
          {
            notificationType: 'cart_abandoned',
            channel: NotificationChannel.NOTIFICATION_CHANNEL_UNSPECIFIED,
            enabled: false,
          },
          { token },
        ),
      );
      expect(noChannel.violations[0]!.field).to.equal('channel');
      const transactional = await failureOf(
        client.setMyNotificationPreference(
          { notificationType: 'password_reset', channel: EMAIL, enabled: false },
          { token },
        ),
      );
      expect(transactional.code).to.equal(status.FAILED_PRECONDITION);
      expect(transactional.errorInfo?.reason).to.equal('TRANSACTIONAL_NOTIFICATION');
      expect(transactional.errorInfo?.metadata).to.deep.equal({ notification_type: 'password_reset' });
      const service = await failureOf(
        client.getMyNotificationPreferences({}, { token: await internalToken(mesh) }),
      );
      expect(service.code).to.equal(status.PERMISSION_DENIED);
    });
  });

  describe('in-app notifications', () => {
    it('lists the caller’s notifications newest first in pages, marks one read, and keeps others’ out of reach', async () => {
      const { userId, token } = await accountToken(mesh);
      // Only the in-app copy: this account has no address at the auth service.
      await client.setMyNotificationPreference(
        { notificationType: 'cart_abandoned', channel: EMAIL, enabled: false },
        { token },
      );
      for (let k = 1; k <= 5; k++) {
        const envelope = envelopeOf(CartAbandonedEvent, {
          cartId: newId(),
          userId,
          sessionId: '',
          items: [],
          subtotal: money('EUR', 100 * k),
          itemCount: k,
          couponCode: '',
          lastActivityAt: new Date(),
          abandonedAt: new Date(),
        });
        await publishEnvelope(events.transport, CartAbandonedEvent.subject, envelope);
      }
      const all = async (unreadOnly: boolean) => {
        const seen: { notificationId: string; body: string; createdAt?: Date; readAt?: Date }[] = [];
        let pageToken = '';
        do {
          const page = await client.listMyNotifications(
            { page: { pageSize: 2, pageToken }, unreadOnly },
            { token },
          );
          expect(page.notifications.length).to.be.at.most(2);
          seen.push(...page.notifications);
          pageToken = page.page!.nextPageToken;
        } while (pageToken);
        return seen;
      };
      const listed = await eventually(async () => {
        const found = await all(false);
        return found.length === 5 && found;
      });
      expect(new Set(listed.map((n) => n.notificationId)).size).to.equal(5);
      const times = listed.map((n) => n.createdAt!.getTime());
      expect(times).to.deep.equal([...times].sort((a, b) => b - a));
      expect(listed.every((n) => n.readAt === undefined)).to.equal(true);

      const target = listed[2]!;
      const { notification } = await client.markNotificationRead(
        { notificationId: target.notificationId },
        { token },
      );
      expect(notification!.readAt).to.be.instanceOf(Date);
      const again = await client.markNotificationRead({ notificationId: target.notificationId }, { token });
      expect(again.notification!.readAt).to.deep.equal(notification!.readAt);
      const unread = await all(true);
      expect(unread.map((n) => n.notificationId)).to.have.members(
        listed.filter((n) => n !== target).map((n) => n.notificationId),
      );

      const other = await accountToken(mesh);
      const foreign = await failureOf(
        client.markNotificationRead({ notificationId: target.notificationId }, { token: other.token }),
      );
      expect(foreign.code).to.equal(status.NOT_FOUND);
      expect(
        (await client.listMyNotifications({ page: undefined, unreadOnly: false }, { token: other.token }))
          .notifications,
      ).to.deep.equal([]);

      const first = await client.listMyNotifications(
        { page: { pageSize: 2, pageToken: '' }, unreadOnly: false },
        { token },
      );
      const mismatched = await failureOf(
        client.listMyNotifications(
          { page: { pageSize: 2, pageToken: first.page!.nextPageToken }, unreadOnly: true },
          { token },
        ),
      );
      expect(mismatched.code).to.equal(status.INVALID_ARGUMENT);
      expect(mismatched.violations[0]!.field).to.equal('page.page_token');
      const malformed = await failureOf(client.markNotificationRead({ notificationId: 'x' }, { token }));
      expect(malformed.violations).to.deep.equal([
        { field: 'notification_id', description: 'must be a UUID' },
      ]);
    });
  });
});
