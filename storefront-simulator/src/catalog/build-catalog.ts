/**
 * The storefront's product catalogue, drawn from the seed: categories with price ranges, products
 * with a brand, variants and a popularity weight (a few bestsellers, a long tail).
 */
import { forKey } from '../random/seeded-random.js';

export interface Product {
  productId: string;
  sku: string;
  name: string;
  category: string;
  brand: string;
  /** Collection (the name's adjective), material when the name has one, `bestseller` for the top of each category. */
  tags: readonly string[];
  variants: readonly string[];
  /** List price in USD; `localPrice` converts it per market. */
  priceUsd: number;
  /** Relative chance of being viewed. */
  popularity: number;
  url: string;
  /** `url` without the host. */
  path: string;
  imageUrl: string;
}

export interface Catalog {
  products: readonly Product[];
  popularity: readonly number[];
  categories: readonly string[];
  byCategory: ReadonlyMap<string, readonly Product[]>;
  /** Discount codes and their percentage off. */
  coupons: readonly { code: string; percentOff: number }[];
  /** Membership plans the storefront sells (yearly fee in USD). */
  membershipPlans: readonly { plan: string; priceUsd: number }[];
}

export const STORE_HOST = 'https://shop.sextant-demo.example';

const CATEGORIES: ReadonlyArray<{ name: string; slug: string; nouns: readonly string[]; min: number; max: number; variants: readonly string[] }> = [
  { name: 'Apparel', slug: 'apparel', nouns: ['Linen Shirt', 'Merino Sweater', 'Chino Trousers', 'Rain Jacket', 'Cotton Tee', 'Wool Coat'], min: 25, max: 220, variants: ['S', 'M', 'L', 'XL'] },
  { name: 'Footwear', slug: 'footwear', nouns: ['Runner Sneaker', 'Leather Boot', 'Canvas Slip-On', 'Trail Shoe'], min: 60, max: 240, variants: ['EU 38', 'EU 40', 'EU 42', 'EU 44'] },
  { name: 'Accessories', slug: 'accessories', nouns: ['Leather Wallet', 'Canvas Tote', 'Sunglasses', 'Wool Beanie', 'Watch Strap'], min: 15, max: 140, variants: ['Black', 'Tan', 'Navy'] },
  { name: 'Beauty', slug: 'beauty', nouns: ['Face Serum', 'Hand Cream', 'Lip Balm', 'Body Oil', 'Clay Mask'], min: 9, max: 75, variants: ['30 ml', '50 ml'] },
  { name: 'Home', slug: 'home', nouns: ['Ceramic Mug', 'Linen Throw', 'Scented Candle', 'Oak Tray'], min: 12, max: 160, variants: ['Sand', 'Slate', 'Moss'] },
];

const ADJECTIVES = ['Everyday', 'Classic', 'Featherweight', 'Heritage', 'Coastal', 'Urban', 'Alpine', 'Studio', 'Nordic', 'Sunday'];
const BRANDS = ['Sextant Goods', 'North Meridian', 'Longitude Co.', 'Harbour & Pine'];
const MATERIALS = ['linen', 'merino', 'wool', 'cotton', 'leather', 'canvas', 'ceramic', 'oak', 'clay'];

/** Derived from the name and position only: no extra random draws, so the rest of the catalogue is unchanged. */
function productTags(adjective: string, noun: string, index: number): string[] {
  const material = noun.toLowerCase().split(' ').find((w) => MATERIALS.includes(w));
  return [adjective.toLowerCase(), ...(material ? [material] : []), ...(index < CATEGORIES.length ? ['bestseller'] : [])];
}

export function buildCatalog(seed: number | string, productCount = 60): Catalog {
  const random = forKey(seed, 'catalog');
  const products: Product[] = [];
  for (let i = 0; i < productCount; i++) {
    const category = CATEGORIES[i % CATEGORIES.length] as (typeof CATEGORIES)[number];
    const noun = random.pick(category.nouns);
    const adjective = random.pick(ADJECTIVES);
    const name = `${adjective} ${noun}`;
    const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${i + 1}`;
    const productId = `prod_${String(i + 1).padStart(4, '0')}`;
    // Prices end in .00 in USD; bestsellers are the first few products of each category (Zipf-like).
    const priceUsd = Math.round(random.between(category.min, category.max));
    products.push({
      productId,
      sku: `SX-${category.slug.slice(0, 3).toUpperCase()}-${String(i + 1).padStart(4, '0')}`,
      name,
      category: category.name,
      brand: random.pick(BRANDS),
      tags: productTags(adjective, noun, i),
      variants: category.variants,
      priceUsd,
      popularity: 1 / (1 + Math.floor(i / CATEGORIES.length)) ** 0.9,
      url: `${STORE_HOST}/products/${slug}`,
      path: `/products/${slug}`,
      imageUrl: `${STORE_HOST}/images/${productId}.jpg`,
    });
  }
  const byCategory = new Map<string, Product[]>();
  for (const p of products) {
    const list = byCategory.get(p.category) ?? [];
    list.push(p);
    byCategory.set(p.category, list);
  }
  return {
    products,
    popularity: products.map((p) => p.popularity),
    categories: CATEGORIES.map((c) => c.name),
    byCategory,
    coupons: [
      { code: 'WELCOME10', percentOff: 10 },
      { code: 'SPRING15', percentOff: 15 },
      { code: 'VIP20', percentOff: 20 },
      { code: 'FREESHIP', percentOff: 5 },
    ],
    membershipPlans: [
      { plan: 'insider', priceUsd: 0 },
      { plan: 'plus', priceUsd: 49 },
    ],
  };
}

export function categorySlug(category: string): string {
  return category.toLowerCase();
}
