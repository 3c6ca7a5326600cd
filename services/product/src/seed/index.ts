export { seedProductDemo } from './seed-catalog.js';
export { generateCatalog, flattenCategories } from './generate-catalog.js';
