import type { MikroORM } from '@mikro-orm/postgresql';
import { NotificationServiceService } from '../../../gen/ecommerce/notification/v1/notification.js';
import { allow } from '../../../lib/auth/access-rule.js';
import { accountIdOf } from '../../../lib/auth/principal.js';
import type { ServiceHandlers } from '../../../lib/grpc/index.js';
import { listMyNotifications, markNotificationRead } from './domain/in-app.js';
import { myPreferences, setMyPreference } from './domain/preferences.js';
import { previewTemplate } from './domain/templates/preview-template.js';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  updateTemplate,
} from './domain/templates/template-admin.js';

export const NOTIFICATION_READ = 'notification:read';
export const NOTIFICATION_WRITE = 'notification:write';

export function notificationHandlers(orm: MikroORM): ServiceHandlers<typeof NotificationServiceService> {
  const em = () => orm.em.fork();
  return {
    listMyNotifications: {
      access: allow.account(),
      async handle(request, ctx) {
        const { notifications, nextPageToken } = await listMyNotifications(em(), accountIdOf(ctx.principal), {
          page: request.page,
          unreadOnly: request.unreadOnly,
        });
        return { notifications, page: { nextPageToken } };
      },
    },
    markNotificationRead: {
      access: allow.account(),
      handle: async (request, ctx) => ({
        notification: await markNotificationRead(em(), accountIdOf(ctx.principal), request.notificationId),
      }),
    },
    getMyNotificationPreferences: {
      access: allow.account(),
      handle: async (_request, ctx) => ({
        preferences: await myPreferences(em(), accountIdOf(ctx.principal)),
      }),
    },
    setMyNotificationPreference: {
      access: allow.account(),
      handle: async (request, ctx) => ({
        preference: await setMyPreference(em(), accountIdOf(ctx.principal), request),
      }),
    },
    createTemplate: {
      access: allow.permission(NOTIFICATION_WRITE),
      handle: async (request) => ({ template: await createTemplate(em(), request) }),
    },
    getTemplate: {
      access: allow.permission(NOTIFICATION_READ),
      handle: async (request) => ({ template: await getTemplate(em(), request.templateId) }),
    },
    listTemplates: {
      access: allow.permission(NOTIFICATION_READ),
      async handle(request) {
        const { templates, nextPageToken } = await listTemplates(em(), request.page);
        return { templates, page: { nextPageToken } };
      },
    },
    updateTemplate: {
      access: allow.permission(NOTIFICATION_WRITE),
      handle: async (request) => ({ template: await updateTemplate(em(), request) }),
    },
    deleteTemplate: {
      access: allow.permission(NOTIFICATION_WRITE),
      async handle(request) {
        await deleteTemplate(em(), request.templateId);
        return {};
      },
    },
    previewTemplate: {
      access: allow.permission(NOTIFICATION_READ),
      handle: (request) => previewTemplate(em(), request),
    },
  };
}
