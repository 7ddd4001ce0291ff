import {
  BarController,
  BarElement,
  CategoryScale,
  type ChartData,
  Chart as ChartJS,
  type ChartOptions,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { Chart } from 'react-chartjs-2';
import { formatCount, formatWindowShort, windowName } from '../../../utils/format';
import { prefersReducedMotion } from '../../../utils/motion';
import { type Period, windowStarts } from '../../../utils/windows';
import type { SongChartPoint } from '../api/schemas';

ChartJS.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

interface SongTrendChartProps {
  period: Period;
  from: string;
  to: string;
  entries: readonly SongChartPoint[];
  description: string;
}

const ACCENT = '#4f46e5';

/**
 * An x-axis label at round times only: hours every 6 (12 when narrow) with the date at midnight, days on the 1st,
 * 8th, 15th, 22nd and 29th; so labels never crowd, whatever the width.
 */
function tick(period: Period, start: Date, chartWidth: number): string | null {
  if (period === 'day') return start.getUTCDate() % 7 === 1 ? formatWindowShort('day', start) : null;
  const hour = start.getUTCHours();
  if (hour % (chartWidth < 500 ? 12 : 6) !== 0) return null;
  return formatWindowShort(hour === 0 ? 'day' : 'hour', start);
}
const PLAYS = '#c7d2fe';

/** Every window of the span on the x axis; a window without an entry is a gap: the song was not in the top 10. */
export function SongTrendChart({ period, from, to, entries, description }: SongTrendChartProps) {
  const starts = windowStarts(period, from, to);
  const byStart = new Map(entries.map((entry) => [entry.window_start, entry]));
  const data: ChartData<'bar' | 'line', (number | null)[], string> = {
    labels: starts,
    datasets: [
      {
        type: 'line',
        label: 'Rank',
        yAxisID: 'rank',
        data: starts.map((start) => byStart.get(start)?.rank ?? null),
        borderColor: ACCENT,
        backgroundColor: ACCENT,
        borderWidth: 2.5,
        pointRadius: 3,
        spanGaps: false,
        order: 0,
      },
      {
        type: 'bar',
        label: 'Plays',
        yAxisID: 'plays',
        data: starts.map((start) => byStart.get(start)?.plays ?? null),
        backgroundColor: PLAYS,
        borderRadius: 2,
        order: 1,
      },
    ],
  };
  const options: ChartOptions<'bar' | 'line'> = {
    responsive: true,
    maintainAspectRatio: false,
    animation: prefersReducedMotion() ? false : { duration: 250 },
    interaction: { mode: 'index', intersect: false },
    plugins: {
      legend: { position: 'bottom', labels: { boxWidth: 12, color: '#374151' } },
      tooltip: {
        callbacks: {
          title: (items) => windowName(period, String(items[0]?.label)),
          label: (item) =>
            item.dataset.label === 'Rank' ? ` Rank #${item.raw}` : ` ${formatCount(Number(item.raw))} plays`,
        },
      },
    },
    scales: {
      x: {
        grid: { display: false },
        ticks: {
          color: '#4b5563',
          autoSkip: false,
          maxRotation: 0,
          callback(value) {
            const start = new Date(this.getLabelForValue(Number(value)));
            return tick(period, start, this.chart.width);
          },
        },
      },
      rank: {
        type: 'linear',
        position: 'left',
        reverse: true,
        min: 1,
        max: 10,
        ticks: { stepSize: 1, color: '#4b5563', callback: (value) => `#${value}` },
        title: { display: true, text: 'Rank', color: '#4b5563' },
        grid: { color: '#eef0f4' },
      },
      plays: {
        type: 'linear',
        position: 'right',
        beginAtZero: true,
        ticks: { precision: 0, color: '#4b5563' },
        title: { display: true, text: 'Plays', color: '#4b5563' },
        grid: { drawOnChartArea: false },
      },
    },
  };
  return (
    <div className="trend__chart">
      <Chart
        type="bar"
        data={data}
        options={options}
        aria-label={description}
        fallbackContent={<p>{description}</p>}
        data-testid="trend-canvas"
      />
    </div>
  );
}
