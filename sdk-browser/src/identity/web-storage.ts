/**
 * localStorage / sessionStorage that never throws into the page. When the browser refuses storage
 * (Safari private mode, storage disabled, sandboxed frames) values live in memory for this page view.
 */
export interface KeyValueStore {
  get(key: string): string | null;
  /** False when the value could not be stored (quota). */
  set(key: string, value: string): boolean;
  del(key: string): void;
  keys(): string[];
}

export function webStorage(open: () => Storage): KeyValueStore {
  const mem: Record<string, string> = {};
  let s: Storage | undefined;
  try {
    s = open();
    s.setItem('sx_t', '1');
    s.removeItem('sx_t');
  } catch {
    s = undefined;
  }
  return {
    get: (k) => {
      try {
        return s ? s.getItem(k) : k in mem ? mem[k]! : null;
      } catch {
        return null;
      }
    },
    set: (k, v) => {
      try {
        if (s) s.setItem(k, v);
        else mem[k] = v;
        return true;
      } catch {
        return false;
      }
    },
    del: (k) => {
      try {
        if (s) s.removeItem(k);
        else delete mem[k];
      } catch {
        // nothing to do
      }
    },
    keys: () => {
      try {
        return s ? Object.keys(s) : Object.keys(mem);
      } catch {
        return [];
      }
    },
  };
}

/** JSON from a stored string; undefined for anything unparseable. */
export function parseJson<T>(text: string | null | undefined): T | undefined {
  try {
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}
