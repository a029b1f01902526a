export function SegmentsPage() {
  return (
    <section>
      <h1>Segments</h1>
    </section>
  );
}
