import type { CallOptions, ConsentChoice, LoadOptions, Message, MessageType, Properties, Traits } from './types.js';
import { VERSION } from './version.js';
import { uuid } from './uuid.js';
import './features.js';
import { parseJson, webStorage, type KeyValueStore } from '../identity/web-storage.js';
import { readCookie, topCookieDomain, writeCookie } from '../identity/cookies.js';
import { touchSession, type Session } from '../identity/session.js';
import { parseCampaign, type Campaign } from '../campaign/parse-campaign.js';
import { campaignOf, updateTouches, type Touches } from '../campaign/touches.js';
import { fbcFor, fbpFor } from '../campaign/meta-cookies.js';
import { createPersistedQueue, type PersistedQueue } from '../delivery/persisted-queue.js';
import { createDispatcher, type Dispatcher } from '../delivery/dispatcher.js';
import { watchNavigation } from '../capture/page-views.js';
import { startAutocapture } from '../capture/autocapture.js';
import { doNotTrack, globalPrivacyControl } from '../privacy/do-not-track.js';
import { ECOMMERCE_EVENTS, helperName, type EcommerceHelpers } from '../ecommerce/ecommerce-events.js';

export interface UserState {
  anonymousId: string;
  userId?: string;
  traits: Traits;
  sessionId?: number;
}

/** The public API. Every method is safe to call at any time: before `load`, offline, blocked or broken. */
export interface Sextant extends EcommerceHelpers {
  load(writeKey: string, options?: LoadOptions): void;
  track(event: string, properties?: Properties, options?: CallOptions): void;
  /** `page()`, `page(name)`, `page(properties)` or `page(name, properties)`. */
  page(name?: string | Properties, properties?: Properties, options?: CallOptions): void;
  /** `identify(userId, traits)`, or `identify(traits)` to add traits to the current user. */
  identify(userId?: string | number | Traits | null, traits?: Traits, options?: CallOptions): void;
  /** Joins `previousId` (default: the current user or anonymous id) to `userId`, which becomes the current user. */
  alias(userId: string | number, previousId?: string, options?: CallOptions): void;
  group(groupId: string | number, traits?: Traits, options?: CallOptions): void;
  /** Logout: forgets the user id and traits, starts a new anonymous id and session. */
  reset(): void;
  /** Runs `callback` once `load` has run (at once if it has). */
  ready(callback: () => void): void;
  /** Records the shopper's choice; with `requireConsent` nothing is stored or sent before `analytics: true`. */
  consent(choice: ConsentChoice): void;
  /** Sends what waits now instead of at the next batch. */
  flush(): void;
  user(): UserState;
}

const KEY = { aid: 'sx_aid', uid: 'sx_uid', traits: 'sx_traits', session: 'sx_sess', touches: 'sx_touch', consent: 'sx_consent' };
const YEAR = 365;
/** Meta keeps its click cookies 90 days. */
const FB_DAYS = 90;
const MAX_PENDING = 1000;

/** Creates an instance; `defaults` are overridden by `load`'s options (the IIFE passes the script's origin as host). */
export function createSextant(defaults: LoadOptions = {}): Sextant & { _r(method: string, args: unknown[], time: number): void } {
  let loaded = false;
  /** Time of a replayed snippet call: the event happened when the page called the stub, not now. */
  let at = 0;
  const pending: (() => void)[] = [];
  const readyCallbacks: (() => void)[] = [];

  let o: LoadOptions & typeof DEFAULTS = { ...DEFAULTS, ...defaults };
  let ls: KeyValueStore;
  let cookieDomain: string | undefined;
  let fbDomain: string | undefined;
  let consent: ConsentChoice = {};
  let dnt = false;
  let aid = '';
  let uid: string | undefined;
  let traits: Traits = {};
  let session: Session | undefined;
  let touches: Touches = {};
  let landing: { campaign: Campaign; url: string; referrer: string; time: number };
  let fbc: string | undefined;
  let fbp: string | undefined;
  /** Events made while consent is awaited: memory only, sent on `analytics: true`, dropped on false. */
  let held: Message[] = [];
  let queue: PersistedQueue;
  let dispatcher: Dispatcher;
  let lastUrl = '';
  let referrer = '';
  let lastPagedUrl = '';

  const warn = (message: string, detail?: unknown) => {
    if (o.debug) console.warn('[sextant] ' + message, detail);
  };
  /** May store ids and send events. */
  const allowed = () => consent.analytics === true && !dnt;
  const denied = () => consent.analytics === false || dnt;
  const currentUrl = () => location.href.split('#')[0]!;

  // ---- identity ---------------------------------------------------------------------------------
  function restore() {
    aid = readCookie(KEY.aid) || ls.get(KEY.aid) || aid;
    uid = readCookie(KEY.uid) || ls.get(KEY.uid) || undefined;
    traits = parseJson<Traits>(ls.get(KEY.traits)) || {};
  }

  function save() {
    if (!allowed()) return;
    writeCookie(KEY.aid, aid, YEAR, cookieDomain);
    ls.set(KEY.aid, aid);
    writeCookie(KEY.uid, uid || '', uid ? YEAR : 0, cookieDomain);
    if (uid) ls.set(KEY.uid, uid);
    else ls.del(KEY.uid);
    ls.set(KEY.traits, JSON.stringify(traits));
    ls.set(KEY.touches, JSON.stringify(touches));
  }

  /** Runs once storage is allowed (at load, or when consent arrives). */
  function setup() {
    cookieDomain = o.cookieDomain || (o.crossSubdomain ? topCookieDomain(location.hostname) : undefined);
    // Meta's pixel keeps _fbc/_fbp on the registrable domain: the same cookie, never a second one.
    fbDomain = topCookieDomain(location.hostname);
    restore();
    touches = updateTouches(parseJson<Touches>(ls.get(KEY.touches)) || {}, {
      ...landing,
      siteDomain: fbDomain || location.hostname,
    });
    save();
    metaCookies();
  }

  function metaCookies() {
    fbc = fbp = undefined;
    if (!allowed() || !consent.marketing) return;
    const now = Date.now();
    fbc = fbcFor(readCookie('_fbc'), landing.campaign.fbclid, now);
    fbp = fbpFor(readCookie('_fbp'), now, Math.random());
    if (fbc) writeCookie('_fbc', fbc, FB_DAYS, fbDomain);
    writeCookie('_fbp', fbp, FB_DAYS, fbDomain);
  }

  function forget() {
    for (const k in KEY) if (k != 'consent') ls.del(KEY[k as keyof typeof KEY]);
    writeCookie(KEY.aid, '', 0, cookieDomain);
    writeCookie(KEY.uid, '', 0, cookieDomain);
    queue.clear();
  }

  // ---- messages ---------------------------------------------------------------------------------
  function pageContext() {
    const url = currentUrl();
    if (url != lastUrl) {
      // After a single-page-app navigation the previous page is the referrer.
      if (lastUrl) referrer = lastUrl;
      lastUrl = url;
    }
    return { path: location.pathname, referrer, search: location.search, title: document.title, url };
  }

  function emit(t: number, type: MessageType, fields: Partial<Message>, options: CallOptions = {}) {
    if (denied()) return;
    if (allowed()) session = parseJson<Session>(ls.get(KEY.session)) || session; // shared by the tabs
    const s = touchSession(session, t, o.sessionTimeout * 60_000);
    session = s.session;
    if (allowed()) ls.set(KEY.session, JSON.stringify(session));
    const when = options.timestamp ? new Date(options.timestamp) : new Date(t);
    const m: Message = {
      type,
      messageId: uuid(),
      timestamp: (isNaN(+when) ? new Date(t) : when).toISOString(),
      anonymousId: aid,
      userId: uid,
      ...fields,
      context: {
        library: { name: 'sextant-browser', version: VERSION },
        page: pageContext(),
        userAgent: navigator.userAgent,
        locale: navigator.language,
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        screen: { width: screen.width, height: screen.height, density: devicePixelRatio },
        sessionId: session.id,
        sessionStart: s.started || undefined,
        campaign: campaignOf(touches.last),
        attribution: { firstTouch: touches.first, lastTouch: touches.last },
        fbc,
        fbp,
        consent: { categoryPreferences: { analytics: allowed(), marketing: !!(allowed() && consent.marketing) } },
        ...options.context,
      },
    };
    if (allowed()) dispatcher.add(m);
    else if (held.length < 100) held.push(m);
  }

  /** A public method: runs now once loaded (deferred before), stamped with the time it was called, never throws. */
  function call<A extends unknown[]>(fn: (t: number, ...args: A) => void) {
    return (...args: A) => {
      const t = at || Date.now();
      at = 0;
      const run = () => {
        try {
          fn(t, ...args);
        } catch (err) {
          warn('call failed', err);
        }
      };
      if (loaded) run();
      else if (pending.length < MAX_PENDING) pending.push(run);
    };
  }

  const api = {
    load(writeKey: string, options?: LoadOptions) {
      const t = at || Date.now();
      at = 0;
      if (loaded) return;
      try {
        o = { ...o, ...options };
        ls = webStorage(() => localStorage);
        dnt = !!o.respectDnt && doNotTrack();
        consent = { ...(o.requireConsent ? {} : { analytics: true, marketing: true }), ...parseJson<ConsentChoice>(ls.get(KEY.consent)) };
        if (o.respectDnt && globalPrivacyControl()) consent.marketing = false;
        referrer = document.referrer;
        landing = { campaign: parseCampaign(location.search), url: currentUrl(), referrer, time: t };
        aid = uuid();
        touches = updateTouches({}, { ...landing, siteDomain: location.hostname });
        queue = createPersistedQueue(ls, o.maxQueueSize, allowed);
        const claimed = queue.items.length;
        dispatcher = createDispatcher({
          url: o.host!.replace(/\/$/, '') + o.path,
          writeKey,
          flushAt: o.flushAt,
          flushInterval: o.flushInterval,
          retryMinMs: o.retryMinMs,
          retryMaxMs: o.retryMaxMs,
          queue,
          warn,
        });
        if (allowed()) setup();

        const on = (target: EventTarget, type: string, fn: (e: Event) => void) =>
          target.addEventListener(type, (e) => {
            try {
              fn(e);
            } catch {
              // never into the page
            }
          });
        on(window, 'pagehide', () => {
          dispatcher.flush(2);
          queue.leave();
        });
        on(window, 'pageshow', (e) => {
          if ((e as PageTransitionEvent).persisted) {
            queue.resume();
            dispatcher.wake();
          }
        });
        on(document, 'visibilitychange', () => (document.visibilityState == 'hidden' ? dispatcher.flush(1) : dispatcher.wake()));
        on(window, 'online', () => dispatcher.wake());
        // Another tab identified or reset: follow it.
        on(window, 'storage', (e) => {
          const key = (e as StorageEvent).key;
          if (allowed() && key && (key == KEY.aid || key == KEY.uid || key == KEY.traits)) restore();
        });
        if (globalThis.__SX_AUTOCAPTURE__ !== false && o.autocapture) {
          const ac = o.autocapture === true ? {} : o.autocapture;
          startAutocapture(api.track, ac.clicks != false, ac.forms != false);
        }
        loaded = true;
        if (o.autoPage) {
          at = t;
          api.page();
          watchNavigation(() => {
            if (currentUrl() != lastPagedUrl) api.page();
          });
        }
        // Events left by earlier pages (reload, offline, blocked) have waited long enough.
        if (claimed) dispatcher.flush();
      } catch (err) {
        warn('load failed', err);
        loaded = true;
      }
      for (const run of pending.splice(0)) run();
      for (const cb of readyCallbacks.splice(0)) api.ready(cb);
    },

    track: call((t, event: string, properties?: Properties, options?: CallOptions) => {
      emit(t, 'track', { event: String(event), properties: { ...properties } }, options);
    }),

    page: call((t, name?: string | Properties, properties?: Properties, options?: CallOptions) => {
      if (name && typeof name == 'object') {
        options = properties;
        properties = name;
        name = undefined;
      }
      const p = pageContext();
      lastPagedUrl = p.url;
      emit(t, 'page', { name: name || undefined, properties: { ...p, name: name || undefined, ...properties } }, options);
    }),

    identify: call((t, id?: string | number | Traits | null, extra?: Traits, options?: CallOptions) => {
      if (id && typeof id == 'object') {
        options = extra;
        extra = id;
        id = undefined;
      }
      if (id != null && id !== '') {
        // A different user on this browser: their traits, not the previous user's.
        if (uid && uid != String(id)) traits = {};
        uid = String(id);
      }
      traits = { ...traits, ...extra };
      save();
      emit(t, 'identify', { traits }, options);
    }),

    alias: call((t, userId: string | number, previousId?: string, options?: CallOptions) => {
      const previous = previousId || uid || aid;
      uid = String(userId);
      save();
      emit(t, 'alias', { previousId: previous }, options);
    }),

    group: call((t, groupId: string | number, groupTraits?: Traits, options?: CallOptions) => {
      emit(t, 'group', { groupId: String(groupId), traits: { ...groupTraits } }, options);
    }),

    reset: call(() => {
      uid = undefined;
      traits = {};
      aid = uuid();
      session = undefined;
      if (allowed()) ls.del(KEY.session);
      save();
    }),

    ready(callback: () => void) {
      if (!loaded) return void readyCallbacks.push(callback);
      try {
        callback();
      } catch (err) {
        warn('ready callback failed', err);
      }
    },

    consent: call((_t, choice: ConsentChoice) => {
      const was = allowed();
      consent = { ...consent, ...choice };
      // The choice itself is kept (strictly necessary storage), whatever it is.
      ls.set(KEY.consent, JSON.stringify(consent));
      if (choice.marketing === false) {
        writeCookie('_fbc', '', 0, fbDomain);
        writeCookie('_fbp', '', 0, fbDomain);
      }
      if (allowed()) {
        if (!was) setup();
        else metaCookies();
        for (const m of held) {
          m.context.consent = { categoryPreferences: { analytics: true, marketing: !!consent.marketing } };
          if (fbc) m.context.fbc = fbc;
          if (fbp) m.context.fbp = fbp;
          dispatcher.add(m);
        }
        held = [];
      } else if (denied()) {
        held = [];
        forget();
        fbc = fbp = undefined;
      }
    }),

    flush: call(() => dispatcher.flush()),

    user: (): UserState => ({ anonymousId: aid, userId: uid, traits: { ...traits }, sessionId: session && session.id }),

    /** Replays a call recorded by the snippet's stub, at the time it was made. */
    _r(method: string, args: unknown[], time: number) {
      const fn = (api as unknown as Record<string, (...a: unknown[]) => void>)[method];
      if (typeof fn != 'function' || method == '_r') return;
      at = time;
      fn(...args);
      at = 0;
    },
  } as Sextant & { _r(method: string, args: unknown[], time: number): void };

  if (globalThis.__SX_ECOMMERCE__ !== false) {
    const helpers = api as unknown as Record<string, (p?: Properties, options?: CallOptions) => void>;
    for (const event of ECOMMERCE_EVENTS) helpers[helperName(event)] = (p, options) => api.track(event, p, options);
  }
  return api;
}

const DEFAULTS = {
  host: typeof location == 'object' ? location.origin : '',
  path: '/v1/batch',
  flushAt: 20,
  flushInterval: 1000,
  maxQueueSize: 500,
  retryMinMs: 1000,
  retryMaxMs: 60_000,
  autoPage: true,
  autocapture: false as LoadOptions['autocapture'],
  sessionTimeout: 30,
};
