/**
 * One simulated shopper: who they are (market, name, email, phone), their devices (each its own
 * anonymousId), and what happened so far (identified, orders, membership, affiliate cookie). Drawn
 * from the shopper's own random stream.
 */
import { DEVICE_WEIGHTS, DEVICES, type Device } from '../config/devices.js';
import { MARKET_SHARES, MARKETS, type Market } from '../config/markets.js';
import type { Random } from '../random/seeded-random.js';
import type { SimMessage } from '../journeys/sim-message.js';

export interface DeviceState {
  anonymousId: string;
  device: Device;
  ip: string;
  /** Set once the shopper identified (signed up, checked out or logged in) on this device. */
  identified: boolean;
}

export interface AffiliateCookie {
  affiliateId: string;
  name: string;
  referrerUserId?: string;
  atMs: number;
}

export interface ShopperState {
  index: number;
  /** `cust_<run>_<index>`; used as userId from the first identification on. */
  userId: string;
  random: Random;
  market: Market;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  identified: boolean;
  /** Agrees to marketing (email, ads audiences) / to WhatsApp messages when asked at sign-up or checkout. */
  marketingConsent: boolean;
  whatsappOptIn: boolean;
  devices: DeviceState[];
  orders: number;
  member: boolean;
  affiliate: AffiliateCookie | undefined;
  messages: SimMessage[];
  /** Message ids are `<run>-<shopper>-<sequence>`: unique and the same for the same seed. */
  idPrefix: string;
  sequence: number;
}

const FIRST_NAMES = ['Ava', 'Noah', 'Mia', 'Liam', 'Emma', 'Lucas', 'Sofia', 'Hugo', 'Yuki', 'Leon', 'Chloe', 'Mateo', 'Ines', 'Oliver', 'Freya', 'Kenji', 'Lea', 'Ethan', 'Alice', 'Theo'];
const LAST_NAMES = ['Smith', 'Muller', 'Martin', 'Brown', 'Tanaka', 'Silva', 'Jansen', 'Andersson', 'Wilson', 'Dubois', 'Schmidt', 'Taylor', 'Santos', 'Sato', 'Bakker', 'Nguyen'];
const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'];

/** Shares of shoppers who opt in when asked (typical DTC sign-up forms: a pre-ticked box is not consent). */
const MARKETING_CONSENT_SHARE = 0.6;
const WHATSAPP_OPT_IN_SHARE = 0.3;

/** A uniform number in [0, 1) from the shopper's index (a multiplicative hash). */
function consentDraw(index: number, salt: number): number {
  let h = Math.imul(index ^ salt, 0x2c1b3c6d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 2 ** 32;
}

export function createShopper(index: number, runTag: string, random: Random): ShopperState {
  const market = random.weighted(MARKETS, MARKET_SHARES);
  const firstName = random.pick(FIRST_NAMES);
  const lastName = random.pick(LAST_NAMES);
  const shopper: ShopperState = {
    index,
    userId: `cust_${runTag}_${index}`,
    random,
    market,
    firstName,
    lastName,
    email: `${firstName}.${lastName}.${index}@${random.pick(EMAIL_DOMAINS)}`.toLowerCase(),
    phone: `+${market.callingCode}555${String(random.int(0, 9_999_999)).padStart(7, '0')}`,
    identified: false,
    // From the index, not the random stream, so every other simulated value stays as it was.
    marketingConsent: consentDraw(index, 0x9e3779b1) < MARKETING_CONSENT_SHARE,
    whatsappOptIn: consentDraw(index, 0x85ebca77) < WHATSAPP_OPT_IN_SHARE,
    devices: [],
    orders: 0,
    member: false,
    affiliate: undefined,
    messages: [],
    idPrefix: `${runTag}-${index.toString(36)}-`,
    sequence: 0,
  };
  addDevice(shopper);
  return shopper;
}

/** A new device (and anonymousId) for the shopper; it becomes the one used next. */
export function addDevice(shopper: ShopperState): DeviceState {
  const { random, market } = shopper;
  const device: DeviceState = {
    anonymousId: uuidFrom(random.hex(32)),
    device: random.weighted(DEVICES, DEVICE_WEIGHTS),
    ip: `${random.pick(market.ipFirstOctets)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
    identified: false,
  };
  shopper.devices.push(device);
  return device;
}

/** Version-4-shaped UUID text from 32 hex characters. */
function uuidFrom(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function nextMessageId(shopper: ShopperState): string {
  const id = shopper.idPrefix + shopper.sequence.toString(36);
  shopper.sequence += 1;
  return id;
}
