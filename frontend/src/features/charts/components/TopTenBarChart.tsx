import {
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  type ChartOptions,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { useMemo } from 'react';
import { Bar } from 'react-chartjs-2';
import { formatCount, songLabel } from '../../../utils/format';
import { prefersReducedMotion } from '../../../utils/motion';
import type { ChartEntry } from '../api/schemas';
import type { SongLinks } from './SongLink';

ChartJS.register(CategoryScale, LinearScale, BarElement, Tooltip);

/** Long labels would squeeze the bars; narrow charts get shorter labels. */
const truncate = (text: string, chartWidth: number) => {
  const max = chartWidth < 400 ? 20 : chartWidth < 560 ? 26 : 34;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

function barOptions(entries: readonly ChartEntry[], songLinks: SongLinks | undefined): ChartOptions<'bar'> {
  return {
    indexAxis: 'y',
    responsive: true,
    maintainAspectRatio: false,
    animation: prefersReducedMotion() ? false : { duration: 300 },
    // A bar opens its song's trend, as the song's name in the table does.
    onClick: (_event, elements) => {
      const entry = entries[elements[0]?.index ?? -1];
      if (entry && songLinks) songLinks.open(entry.song_id);
    },
    onHover: (event, elements) => {
      const canvas = event.native?.target;
      if (canvas instanceof HTMLElement) canvas.style.cursor = elements.length && songLinks ? 'pointer' : '';
    },
    plugins: {
      legend: { display: false },
      tooltip: { callbacks: { label: (item) => ` ${formatCount(Number(item.raw))} plays` } },
    },
    scales: {
      x: {
        beginAtZero: true,
        grid: { color: '#eef0f4' },
        ticks: { precision: 0, color: '#4b5563' },
        title: { display: true, text: 'Plays', color: '#4b5563' },
      },
      y: {
        grid: { display: false },
        ticks: {
          color: '#1f2937',
          font: { size: 12 },
          callback(value) {
            return truncate(this.getLabelForValue(Number(value)), this.chart.width);
          },
        },
      },
    },
  };
}

/** Bars for ranks 1–3 stand out; the rest share a calmer tone. */
const barColor = (rank: number) => (rank <= 3 ? '#4f46e5' : '#a5b4fc');

interface TopTenBarChartProps {
  entries: readonly ChartEntry[];
  title: string;
  songLinks?: SongLinks;
}

export function TopTenBarChart({ entries, title, songLinks }: TopTenBarChartProps) {
  const options = useMemo(() => barOptions(entries, songLinks), [entries, songLinks]);
  const data = {
    labels: entries.map(songLabel),
    datasets: [
      {
        label: 'Plays',
        data: entries.map((entry) => entry.plays),
        backgroundColor: entries.map((entry) => barColor(entry.rank)),
        borderRadius: 4,
        maxBarThickness: 28,
      },
    ],
  };
  const description = entries
    .map((entry) => `${entry.rank}. ${songLabel(entry)}: ${formatCount(entry.plays)} plays`)
    .join('; ');

  return (
    <div className="bar-chart">
      <Bar
        data={data}
        options={options}
        aria-label={`${title}. ${description}`}
        fallbackContent={<p>{description}</p>}
        data-testid="chart-canvas"
      />
    </div>
  );
}
