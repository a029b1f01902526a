import type { CallOptions, Properties } from '../core/types.js';

/** Segment's e-commerce spec events (v2) that get a helper: `sextant.productViewed({...})` is `track('Product Viewed', {...})`. */
export const ECOMMERCE_EVENTS =
  'Products Searched,Product List Viewed,Product Clicked,Product Viewed,Product Added,Product Removed,Cart Viewed,Checkout Started,Checkout Step Viewed,Checkout Step Completed,Payment Info Entered,Coupon Applied,Order Completed,Order Updated,Order Refunded,Order Cancelled,Product Added to Wishlist,Promotion Viewed,Promotion Clicked'.split(
    ',',
  );

/** `Product Added to Wishlist` → `productAddedToWishlist`. */
export function helperName(event: string): string {
  return event
    .split(' ')
    .map((w, i) => (i ? w[0]!.toUpperCase() + w.slice(1) : w.toLowerCase()))
    .join('');
}

export interface Product {
  product_id?: string | number;
  sku?: string;
  category?: string;
  name?: string;
  brand?: string;
  variant?: string;
  price?: number;
  quantity?: number;
  coupon?: string;
  position?: number;
  url?: string;
  image_url?: string;
  [key: string]: unknown;
}

export interface ProductEvent extends Product {
  cart_id?: string | number;
  currency?: string;
  value?: number;
}

export interface Order {
  checkout_id?: string | number;
  order_id?: string | number;
  affiliation?: string;
  value?: number;
  subtotal?: number;
  total?: number;
  revenue?: number;
  shipping?: number;
  tax?: number;
  discount?: number;
  coupon?: string;
  currency?: string;
  products?: Product[];
  [key: string]: unknown;
}

export interface CheckoutStep {
  checkout_id?: string | number;
  order_id?: string | number;
  step?: number;
  shipping_method?: string;
  payment_method?: string;
  [key: string]: unknown;
}

type Helper<P> = (properties?: P, options?: CallOptions) => void;

export interface EcommerceHelpers {
  productsSearched: Helper<{ query?: string } & Properties>;
  productListViewed: Helper<{ list_id?: string | number; category?: string; products?: Product[] } & Properties>;
  productClicked: Helper<ProductEvent>;
  productViewed: Helper<ProductEvent>;
  productAdded: Helper<ProductEvent>;
  productRemoved: Helper<ProductEvent>;
  cartViewed: Helper<{ cart_id?: string | number; currency?: string; value?: number; products?: Product[] } & Properties>;
  checkoutStarted: Helper<Order>;
  checkoutStepViewed: Helper<CheckoutStep>;
  checkoutStepCompleted: Helper<CheckoutStep>;
  paymentInfoEntered: Helper<CheckoutStep>;
  couponApplied: Helper<{ order_id?: string | number; cart_id?: string | number; coupon_id?: string | number; coupon_name?: string; discount?: number } & Properties>;
  orderCompleted: Helper<Order>;
  orderUpdated: Helper<Order>;
  orderRefunded: Helper<Order>;
  orderCancelled: Helper<Order>;
  productAddedToWishlist: Helper<ProductEvent & { wishlist_id?: string | number; wishlist_name?: string }>;
  promotionViewed: Helper<{ promotion_id?: string | number; creative?: string; name?: string; position?: string | number } & Properties>;
  promotionClicked: Helper<{ promotion_id?: string | number; creative?: string; name?: string; position?: string | number } & Properties>;
}
