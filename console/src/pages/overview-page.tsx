export function OverviewPage() {
  return (
    <section>
      <h1>Overview</h1>
    </section>
  );
}
