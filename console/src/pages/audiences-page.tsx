import { Empty } from '../components/status.js';

/**
 * Audiences (destinations, schedules, run history, run now) need the activation admin API, which is
 * not served yet: the page says so instead of showing a blank screen.
 */
export function AudiencesPage() {
  return (
    <section aria-labelledby="audiences-title">
      <h1 id="audiences-title">Audiences</h1>
      <Empty>
        Audience syncs to Facebook, Instagram and WhatsApp are configured with the activation API, which this server does not expose yet. Segments built here will be
        available to it as soon as it is.
      </Empty>
    </section>
  );
}
