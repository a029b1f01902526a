export function FunnelsPage() {
  return (
    <section>
      <h1>Funnels</h1>
    </section>
  );
}
