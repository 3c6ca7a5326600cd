export { seedAuthDemo } from './seed-auth.js';
export { DEFAULT_DEMO_ADMIN_EMAIL, DEMO_ROLES } from './demo-roles.js';
