export function AttributionPage() {
  return (
    <section>
      <h1>Attribution</h1>
    </section>
  );
}
