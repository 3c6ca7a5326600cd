/**
 * The demo store's catalog, as data: a three-level category tree and, for each leaf, the family of
 * products the generator makes from it (names from adjectives × materials × a noun, a variant axis,
 * a price range). Prices are minor units of EUR.
 */

export interface DemoCategory {
  slug: string;
  name: string;
  description: string;
  children?: DemoCategory[];
  /** Leaves only: what products are made for it. */
  family?: ProductFamily;
}

export interface VariantOption {
  /** Appended to the product SKU (`TEE-001-M`). */
  code: string;
  name: string;
  /** Added to the product's price (minor units); 0 keeps the product's price. */
  priceDelta?: number;
}

export interface ProductFamily {
  /** SKU prefix, unique per family. */
  code: string;
  /** Ends every product name (`Classic Merino Men's T-Shirt`); empty for titles. */
  noun: string;
  adjectives: string[];
  materials: string[];
  variants: VariantOption[];
  /** Price range of the cheapest variant, minor units. */
  price: [number, number];
  /** Weight range, kilograms. */
  weight: [number, number];
  tags: string[];
  /** What the product is, after its name ("made for warm evenings …"). */
  pitch: string;
}

const SIZES: VariantOption[] = [
  { code: 'S', name: 'Size S' },
  { code: 'M', name: 'Size M' },
  { code: 'L', name: 'Size L' },
  { code: 'XL', name: 'Size XL', priceDelta: 200 },
];

const COLOURS = (...names: string[]): VariantOption[] =>
  names.map((name) => ({
    code: name
      .toUpperCase()
      .replace(/[^A-Z]/g, '')
      .slice(0, 5),
    name,
  }));

const APPAREL_ADJECTIVES = [
  'Classic',
  'Relaxed',
  'Slim',
  'Heritage',
  'Everyday',
  'Coastal',
  'Urban',
  'Alpine',
];

export const DEMO_CATEGORIES: DemoCategory[] = [
  {
    slug: 'clothing',
    name: 'Clothing',
    description: 'Clothes for every day and every season.',
    children: [
      {
        slug: 'clothing-men',
        name: 'Men',
        description: "Men's clothing.",
        children: [
          {
            slug: 'men-t-shirts',
            name: 'T-Shirts',
            description: "Men's t-shirts.",
            family: {
              code: 'MTEE',
              noun: "Men's T-Shirt",
              adjectives: APPAREL_ADJECTIVES,
              materials: ['Organic Cotton', 'Linen Blend', 'Merino'],
              variants: SIZES,
              price: [1900, 3900],
              weight: [0.15, 0.25],
              tags: ['t-shirt', 'menswear'],
              pitch: 'a soft, breathable tee cut for an easy fit',
            },
          },
          {
            slug: 'men-shirts',
            name: 'Shirts',
            description: "Men's shirts.",
            family: {
              code: 'MSHIRT',
              noun: "Men's Shirt",
              adjectives: APPAREL_ADJECTIVES,
              materials: ['Oxford Cotton', 'Chambray', 'Flannel'],
              variants: SIZES,
              price: [3900, 7900],
              weight: [0.25, 0.4],
              tags: ['shirt', 'menswear'],
              pitch: 'a button-down shirt that works at the office and at the weekend',
            },
          },
          {
            slug: 'men-jackets',
            name: 'Jackets',
            description: "Men's jackets.",
            family: {
              code: 'MJKT',
              noun: "Men's Jacket",
              adjectives: APPAREL_ADJECTIVES,
              materials: ['Waxed Cotton', 'Recycled Down', 'Wool'],
              variants: SIZES,
              price: [8900, 24900],
              weight: [0.6, 1.4],
              tags: ['jacket', 'menswear', 'outerwear'],
              pitch: 'a warm, weather-ready jacket with deep pockets',
            },
          },
        ],
      },
      {
        slug: 'clothing-women',
        name: 'Women',
        description: "Women's clothing.",
        children: [
          {
            slug: 'women-dresses',
            name: 'Dresses',
            description: "Women's dresses.",
            family: {
              code: 'WDRS',
              noun: 'Dress',
              adjectives: ['Wrap', 'Midi', 'Maxi', 'Shirt', 'Slip', 'Tiered', 'Pleated', 'Summer'],
              materials: ['Linen', 'Silk', 'Organic Cotton'],
              variants: SIZES,
              price: [4900, 14900],
              weight: [0.2, 0.5],
              tags: ['dress', 'womenswear'],
              pitch: 'a flowing dress that moves with you',
            },
          },
          {
            slug: 'women-tops',
            name: 'Tops',
            description: "Women's tops and blouses.",
            family: {
              code: 'WTOP',
              noun: 'Top',
              adjectives: [
                'Cropped',
                'Ribbed',
                'Draped',
                'Everyday',
                'Ruffled',
                'Boxy',
                'Fitted',
                'Puff-Sleeve',
              ],
              materials: ['Organic Cotton', 'Modal', 'Silk'],
              variants: SIZES,
              price: [2400, 5900],
              weight: [0.12, 0.3],
              tags: ['top', 'womenswear'],
              pitch: 'a versatile top to wear alone or layered',
            },
          },
          {
            slug: 'women-jackets',
            name: 'Jackets',
            description: "Women's jackets and coats.",
            family: {
              code: 'WJKT',
              noun: "Women's Jacket",
              adjectives: [
                'Cropped',
                'Belted',
                'Quilted',
                'Heritage',
                'Coastal',
                'Urban',
                'Alpine',
                'Tailored',
              ],
              materials: ['Wool Blend', 'Recycled Down', 'Denim'],
              variants: SIZES,
              price: [8900, 22900],
              weight: [0.5, 1.2],
              tags: ['jacket', 'womenswear', 'outerwear'],
              pitch: 'a jacket that keeps the cold out without the bulk',
            },
          },
        ],
      },
    ],
  },
  {
    slug: 'home-kitchen',
    name: 'Home & Kitchen',
    description: 'Things for the home, from the stove to the sofa.',
    children: [
      {
        slug: 'kitchen',
        name: 'Kitchen',
        description: 'Cooking and serving.',
        children: [
          {
            slug: 'cookware',
            name: 'Cookware',
            description: 'Pans and pots.',
            family: {
              code: 'COOK',
              noun: 'Frying Pan',
              adjectives: [
                'Professional',
                'Everyday',
                'Chef',
                'Nonstick',
                'Heavy-Duty',
                'Induction',
                'Heritage',
                'Lightweight',
              ],
              materials: ['Cast Iron', 'Stainless Steel', 'Carbon Steel'],
              variants: [
                { code: '20', name: '20 cm' },
                { code: '24', name: '24 cm', priceDelta: 500 },
                { code: '28', name: '28 cm', priceDelta: 1000 },
              ],
              price: [2900, 8900],
              weight: [1.0, 2.8],
              tags: ['cookware', 'kitchen'],
              pitch: 'a pan that heats evenly and lasts for decades',
            },
          },
          {
            slug: 'tableware',
            name: 'Tableware',
            description: 'Plates, bowls and glasses.',
            family: {
              code: 'TABLE',
              noun: 'Dinner Plate Set',
              adjectives: [
                'Rustic',
                'Nordic',
                'Speckled',
                'Classic',
                'Coastal',
                'Matte',
                'Handmade',
                'Stackable',
              ],
              materials: ['Stoneware', 'Porcelain', 'Recycled Glass'],
              variants: [
                { code: '2', name: 'Set of 2' },
                { code: '4', name: 'Set of 4', priceDelta: 1500 },
                { code: '6', name: 'Set of 6', priceDelta: 2900 },
              ],
              price: [1900, 4900],
              weight: [1.2, 3.0],
              tags: ['tableware', 'kitchen'],
              pitch: 'dishwasher-safe pieces for everyday meals and long dinners',
            },
          },
        ],
      },
      {
        slug: 'living',
        name: 'Living',
        description: 'Light and textiles for living rooms and bedrooms.',
        children: [
          {
            slug: 'lighting',
            name: 'Lighting',
            description: 'Lamps and lights.',
            family: {
              code: 'LAMP',
              noun: 'Table Lamp',
              adjectives: [
                'Arc',
                'Mushroom',
                'Globe',
                'Dome',
                'Minimal',
                'Industrial',
                'Bauhaus',
                'Dimmable',
              ],
              materials: ['Brass', 'Ceramic', 'Oak'],
              variants: COLOURS('Black', 'White', 'Sage'),
              price: [3900, 14900],
              weight: [0.8, 2.5],
              tags: ['lighting', 'home'],
              pitch: 'a warm, glare-free light for reading corners and bedside tables',
            },
          },
          {
            slug: 'textiles',
            name: 'Textiles',
            description: 'Bedding, throws and cushions.',
            family: {
              code: 'TEXT',
              noun: 'Duvet Cover',
              adjectives: [
                'Washed',
                'Striped',
                'Waffle',
                'Herringbone',
                'Classic',
                'Soft',
                'Woven',
                'Checked',
              ],
              materials: ['Linen', 'Percale Cotton', 'Sateen'],
              variants: [
                { code: 'SGL', name: 'Single' },
                { code: 'DBL', name: 'Double', priceDelta: 1000 },
                { code: 'KNG', name: 'King', priceDelta: 2000 },
              ],
              price: [3900, 11900],
              weight: [0.8, 1.8],
              tags: ['bedding', 'home'],
              pitch: 'bedding that gets softer with every wash',
            },
          },
        ],
      },
    ],
  },
  {
    slug: 'electronics',
    name: 'Electronics',
    description: 'Sound and power for your devices.',
    children: [
      {
        slug: 'audio',
        name: 'Audio',
        description: 'Headphones and speakers.',
        children: [
          {
            slug: 'headphones',
            name: 'Headphones',
            description: 'Over-ear, on-ear and in-ear.',
            family: {
              code: 'HEAD',
              noun: 'Headphones',
              adjectives: [
                'Wireless',
                'Studio',
                'Noise-Cancelling',
                'Travel',
                'Sport',
                'Hi-Fi',
                'Foldable',
                'Kids',
              ],
              materials: ['Over-Ear', 'On-Ear', 'In-Ear'],
              variants: COLOURS('Black', 'Silver', 'Midnight Blue'),
              price: [4900, 34900],
              weight: [0.1, 0.35],
              tags: ['headphones', 'audio'],
              pitch: 'clear, detailed sound with comfort for long listening',
            },
          },
          {
            slug: 'speakers',
            name: 'Speakers',
            description: 'Portable and home speakers.',
            family: {
              code: 'SPKR',
              noun: 'Speaker',
              adjectives: [
                'Portable',
                'Waterproof',
                'Smart',
                'Bookshelf',
                'Outdoor',
                'Compact',
                'Stereo',
                'Retro',
              ],
              materials: ['Bluetooth', 'Wi-Fi', 'Wired'],
              variants: COLOURS('Black', 'Sand', 'Forest Green'),
              price: [3900, 29900],
              weight: [0.4, 4.5],
              tags: ['speaker', 'audio'],
              pitch: 'room-filling sound from a speaker that fits anywhere',
            },
          },
        ],
      },
      {
        slug: 'accessories',
        name: 'Accessories',
        description: 'Chargers, cables and cases.',
        children: [
          {
            slug: 'chargers-cables',
            name: 'Chargers & Cables',
            description: 'Keep everything powered.',
            family: {
              code: 'CHRG',
              noun: 'Charger',
              adjectives: ['Fast', 'Compact', 'Travel', 'Dual-Port', 'Wireless', 'Desk', 'Car', 'Universal'],
              materials: ['USB-C', 'GaN', 'MagSafe-Compatible'],
              variants: [
                { code: '20W', name: '20 W' },
                { code: '65W', name: '65 W', priceDelta: 1500 },
              ],
              price: [1500, 5900],
              weight: [0.05, 0.3],
              tags: ['charger', 'accessories'],
              pitch: 'safe, fast charging for phones, tablets and laptops',
            },
          },
        ],
      },
    ],
  },
  {
    slug: 'sports-outdoors',
    name: 'Sports & Outdoors',
    description: 'Gear for the trail, the campsite and the gym.',
    children: [
      {
        slug: 'camping',
        name: 'Camping',
        description: 'Tents, packs and camp kit.',
        children: [
          {
            slug: 'tents',
            name: 'Tents',
            description: 'Tents for every trip.',
            family: {
              code: 'TENT',
              noun: 'Tent',
              adjectives: [
                'Ultralight',
                'Family',
                'Backpacking',
                'Four-Season',
                'Festival',
                'Dome',
                'Tunnel',
                'Trekking',
              ],
              materials: ['Ripstop Nylon', 'Polyester', 'Silnylon'],
              variants: [
                { code: '2P', name: '2-person' },
                { code: '3P', name: '3-person', priceDelta: 4000 },
                { code: '4P', name: '4-person', priceDelta: 8000 },
              ],
              price: [9900, 39900],
              weight: [1.2, 6.5],
              tags: ['tent', 'camping'],
              pitch: 'a quick-pitching shelter that stands up to wind and rain',
            },
          },
          {
            slug: 'backpacks',
            name: 'Backpacks',
            description: 'Daypacks and trekking packs.',
            family: {
              code: 'PACK',
              noun: 'Backpack',
              adjectives: [
                'Trail',
                'Summit',
                'Commuter',
                'Rolltop',
                'Hydration',
                'Alpine',
                'Travel',
                'Daypack',
              ],
              materials: ['Recycled Nylon', 'Canvas', 'Cordura'],
              variants: [
                { code: '30L', name: '30 L' },
                { code: '45L', name: '45 L', priceDelta: 2000 },
              ],
              price: [5900, 18900],
              weight: [0.7, 2.0],
              tags: ['backpack', 'camping'],
              pitch: 'a pack that carries comfortably from the first mile to the last',
            },
          },
        ],
      },
      {
        slug: 'fitness',
        name: 'Fitness',
        description: 'Train at home or in the gym.',
        children: [
          {
            slug: 'yoga',
            name: 'Yoga',
            description: 'Mats, blocks and straps.',
            family: {
              code: 'YOGA',
              noun: 'Yoga Mat',
              adjectives: [
                'Grip',
                'Travel',
                'Cushioned',
                'Studio',
                'Eco',
                'Alignment',
                'Hot Yoga',
                'Foldable',
              ],
              materials: ['Natural Rubber', 'Cork', 'TPE'],
              variants: COLOURS('Charcoal', 'Ocean', 'Terracotta'),
              price: [2900, 9900],
              weight: [0.9, 2.5],
              tags: ['yoga', 'fitness'],
              pitch: 'a non-slip mat with just enough cushioning',
            },
          },
          {
            slug: 'weights',
            name: 'Weights',
            description: 'Dumbbells and kettlebells.',
            family: {
              code: 'WGHT',
              noun: 'Kettlebell',
              adjectives: [
                'Competition',
                'Classic',
                'Adjustable',
                'Home',
                'Pro',
                'Compact',
                'Studio',
                'Powder-Coated',
              ],
              materials: ['Cast Iron', 'Steel', 'Vinyl-Coated'],
              variants: [
                { code: '8KG', name: '8 kg' },
                { code: '12KG', name: '12 kg', priceDelta: 1200 },
                { code: '16KG', name: '16 kg', priceDelta: 2400 },
              ],
              price: [2900, 6900],
              weight: [8, 16],
              tags: ['weights', 'fitness'],
              pitch: 'a balanced weight with a smooth, wide handle',
            },
          },
        ],
      },
    ],
  },
  {
    slug: 'books',
    name: 'Books',
    description: 'Stories and ideas.',
    children: [
      {
        slug: 'fiction',
        name: 'Fiction',
        description: 'Novels and short stories.',
        family: {
          code: 'FIC',
          // Titles only ("The Silent Harbour"): a novel's name does not say "novel".
          noun: '',
          adjectives: [
            'The Silent',
            'The Last',
            'A Winter',
            'The Hidden',
            'The Glass',
            'The Northern',
            'A Distant',
            'The Salt',
          ],
          materials: ['Harbour', 'Orchard', 'Lighthouse'],
          variants: [
            { code: 'PB', name: 'Paperback' },
            { code: 'HB', name: 'Hardcover', priceDelta: 800 },
            { code: 'EB', name: 'E-book', priceDelta: -300 },
          ],
          price: [1200, 2400],
          weight: [0.3, 0.7],
          tags: ['fiction', 'books'],
          pitch: 'a novel readers could not put down',
        },
      },
      {
        slug: 'non-fiction',
        name: 'Non-fiction',
        description: 'History, science and how-to.',
        family: {
          code: 'NF',
          noun: 'Guide',
          adjectives: [
            'The Complete',
            'A Short',
            'The Practical',
            'The Curious',
            'An Illustrated',
            'The Essential',
            'A Modern',
            'The Field',
          ],
          materials: ['Bread Baking', 'Houseplant', 'Birdwatching'],
          variants: [
            { code: 'PB', name: 'Paperback' },
            { code: 'HB', name: 'Hardcover', priceDelta: 1000 },
          ],
          price: [1500, 3500],
          weight: [0.4, 1.1],
          tags: ['non-fiction', 'books'],
          pitch: 'a clear, friendly guide written by people who do it every day',
        },
      },
    ],
  },
];

/** Brands the generator picks from. */
export const DEMO_BRANDS = [
  'Northwind',
  'Fjord & Co',
  'Atelier Lune',
  'Copperleaf',
  'Kestrel',
  'Halden',
  'Marlow',
  'Tern',
];

/** Products per leaf category (19 leaves × 16 = 304 products). */
export const PRODUCTS_PER_CATEGORY = 16;

export const DEMO_CURRENCY = 'EUR';
export const DEMO_STOCK_LOCATION = 'default';
