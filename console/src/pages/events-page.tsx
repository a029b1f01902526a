import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../app/app-context.js';
import { AsyncView, Empty } from '../components/status.js';
import { useAsync } from '../components/use-async.js';
import { fmtTime } from '../components/format.js';

interface StoredEvent {
  messageId: string;
  type: string;
  event: string | null;
  name: string | null;
  anonymousId: string | null;
  userId: string | null;
  timestamp: string;
  receivedAt: string;
  page?: { path?: string } | null;
  campaign?: { source?: string; medium?: string; name?: string } | null;
  revenue: number | null;
  currency: string | null;
  properties: Record<string, unknown>;
}

const POLL_MS = 3000;

/** The newest stored events, polled; filters go to the API (`event`, `userId`, `anonymousId`, `type`). */
export function EventsPage() {
  const { api, navigate } = useApp();
  const [filters, setFilters] = useState({ event: '', user: '', type: '' });
  const [applied, setApplied] = useState(filters);
  const [live, setLive] = useState(true);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [state, reload] = useAsync(
    (signal) =>
      api.get<{ count: number; events: StoredEvent[] }>(
        '/api/events',
        {
          limit: 100,
          event: applied.event || undefined,
          type: applied.type || undefined,
          ...(applied.user ? (/^[0-9a-f-]{36}$/i.test(applied.user) ? { anonymousId: applied.user } : { userId: applied.user }) : {}),
        },
        signal,
      ),
    [applied],
  );
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [live, reload]);

  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Live events</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filters);
        }}
      >
        <label>
          Event name
          <input name="event" value={filters.event} placeholder="Order Completed" onInput={(e) => setFilters({ ...filters, event: e.currentTarget.value })} />
        </label>
        <label>
          User (userId or anonymousId)
          <input name="user" value={filters.user} placeholder="cust_123" onInput={(e) => setFilters({ ...filters, user: e.currentTarget.value })} />
        </label>
        <label>
          Type
          <select name="type" aria-label="Type" value={filters.type} onChange={(e) => setFilters({ ...filters, type: e.currentTarget.value })}>
            <option value="">any</option>
            {['track', 'page', 'identify', 'alias', 'group', 'screen'].map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
        <label class="inline">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} /> Live (every {POLL_MS / 1000} s)
        </label>
      </form>
      <AsyncView state={state} onRetry={reload} label="Loading events…">
        {(data) =>
          data.events.length === 0 ? (
            <Empty>No events match. Send some with the snippet (Settings) or `npx sextant demo`.</Empty>
          ) : (
            <div class="table-wrap">
              <table data-testid="events-table">
                <caption class="sr-only">The {data.count} newest events</caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Event</th>
                    <th scope="col">User</th>
                    <th scope="col">Page / campaign</th>
                    <th scope="col">Revenue</th>
                  </tr>
                </thead>
                <tbody>
                  {data.events.map((e) => (
                    <>
                      <tr key={e.messageId}>
                        <td>{fmtTime(e.timestamp)}</td>
                        <td>
                          <button type="button" class="link" aria-expanded={open === e.messageId} onClick={() => setOpen(open === e.messageId ? undefined : e.messageId)}>
                            {e.event || e.name || e.type}
                          </button>{' '}
                          <span class="pill">{e.type}</span>
                        </td>
                        <td>
                          <a
                            href={`/profiles/${encodeURIComponent(e.userId ?? e.anonymousId ?? '')}`}
                            onClick={(ev) => {
                              ev.preventDefault();
                              navigate(`/profiles/${encodeURIComponent(e.userId ?? e.anonymousId ?? '')}`);
                            }}
                          >
                            {e.userId ?? `${(e.anonymousId ?? '').slice(0, 8)}…`}
                          </a>
                        </td>
                        <td>
                          {e.page?.path ?? ''} {e.campaign?.source ? <span class="pill">{e.campaign.source}</span> : null}
                        </td>
                        <td>{e.revenue !== null ? `${e.revenue} ${e.currency ?? ''}` : ''}</td>
                      </tr>
                      {open === e.messageId && (
                        <tr key={`${e.messageId}-detail`}>
                          <td colSpan={5}>
                            <pre class="json">{JSON.stringify(e.properties, null, 2)}</pre>
                          </td>
                        </tr>
                      )}
                    </>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </AsyncView>
    </section>
  );
}
