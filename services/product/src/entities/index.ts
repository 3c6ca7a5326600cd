import { Category } from './category.js';
import { Inventory } from './inventory.js';
import { ProductCategory } from './product-category.js';
import { ProductImage } from './product-image.js';
import { ProductTag } from './product-tag.js';
import { ProductVariant } from './product-variant.js';
import { Product } from './product.js';
import { Review } from './review.js';

export { Category, Inventory, Product, ProductCategory, ProductImage, ProductTag, ProductVariant, Review };

export const productEntities = [
  Product,
  Category,
  ProductCategory,
  ProductVariant,
  ProductImage,
  Inventory,
  Review,
  ProductTag,
];
