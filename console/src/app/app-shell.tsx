import { useEffect, useRef } from 'preact/hooks';
import type { JSX } from 'preact';
import type { Session } from '../auth/session.js';
import { useApp } from './app-context.js';
import { OverviewPage } from '../pages/overview-page.js';
import { EventsPage } from '../pages/events-page.js';
import { ProfilePage } from '../pages/profile-page.js';
import { SegmentsPage } from '../pages/segments-page.js';
import { FunnelsPage } from '../pages/funnels-page.js';
import { AttributionPage } from '../pages/attribution-page.js';
import { MarketingPage } from '../pages/marketing-page.js';
import { ProductsPage } from '../pages/products-page.js';
import { AudiencesPage } from '../pages/audiences-page.js';
import { SettingsPage } from '../pages/settings-page.js';

interface Route {
  path: string;
  label: string;
  page: () => JSX.Element;
}

export const ROUTES: Route[] = [
  { path: '/', label: 'Overview', page: OverviewPage },
  { path: '/events', label: 'Live events', page: EventsPage },
  { path: '/profiles', label: 'Profiles', page: ProfilePage },
  { path: '/segments', label: 'Segments', page: SegmentsPage },
  { path: '/funnels', label: 'Funnels', page: FunnelsPage },
  { path: '/attribution', label: 'Attribution', page: AttributionPage },
  { path: '/marketing', label: 'Marketing', page: MarketingPage },
  { path: '/products', label: 'Products', page: ProductsPage },
  { path: '/audiences', label: 'Audiences', page: AudiencesPage },
  { path: '/settings', label: 'Settings', page: SettingsPage },
];

function routeFor(path: string): Route {
  const pathname = path.split('?')[0] ?? '/';
  return ROUTES.find((r) => r.path !== '/' && (pathname === r.path || pathname.startsWith(`${r.path}/`))) ?? ROUTES[0]!;
}

export function AppShell({ path, navigate, onSignOut }: { path: string; navigate: (p: string) => void; onSignOut: () => void }) {
  const { session } = useApp();
  const route = routeFor(path);
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    document.title = `${route.label} · Sextant`;
    main.current?.focus();
  }, [route.path]);
  const Page = route.page;
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">Sextant</span>
        <UserBadge session={session} onSignOut={onSignOut} />
      </header>
      <nav class="sidenav" aria-label="Main">
        <ul>
          {ROUTES.map((r) => (
            <li key={r.path}>
              <a
                href={r.path}
                aria-current={r === route ? 'page' : undefined}
                onClick={(e) => {
                  if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
                  e.preventDefault();
                  navigate(r.path);
                }}
              >
                {r.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        <Page key={route.path} />
      </main>
    </div>
  );
}

function UserBadge({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  return (
    <div class="user">
      <span data-testid="user-role">
        {session.subject} · <strong>{session.role}</strong>
      </span>
      <button type="button" class="secondary" onClick={onSignOut}>
        Sign out
      </button>
    </div>
  );
}
