import { useEffect, useRef } from 'preact/hooks';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from 'chart.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

export const PALETTE = ['#2f6fde', '#e07b39', '#3aa76d', '#c8467a', '#7b5cd6', '#d4b106', '#3a9bb5', '#8c8c8c'];

/** One Chart.js chart; `label` is read by screen readers, and `summary` is the same data as text. */
export function ChartView({ config, label, summary, testId }: { config: ChartConfiguration; label: string; summary?: string; testId?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, [JSON.stringify(config.data), config.type]);
  return (
    <figure class="chart" data-testid={testId}>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={label} />
      </div>
      {summary && <figcaption class="sr-only">{summary}</figcaption>}
    </figure>
  );
}
