import type { ChartEntry } from '../api/schemas';
import './MovementBadge.css';

type Movement = Pick<ChartEntry, 'rank' | 'previous_rank' | 'movement'>;

/** What a screen reader hears, and a pointer's tooltip shows. */
function movementText({ rank, previous_rank, movement }: Movement, periodName: string): string {
  switch (movement) {
    case 'new':
      return `New: first ${periodName} in this top 10`;
    case 're-entry':
      return `Re-entry: back in this top 10, absent the ${periodName} before`;
    case 'same':
      return `No change: #${rank} the ${periodName} before too`;
    case 'up':
      return `Up ${(previous_rank ?? rank) - rank}: #${previous_rank} the ${periodName} before`;
    case 'down':
      return `Down ${rank - (previous_rank ?? rank)}: #${previous_rank} the ${periodName} before`;
  }
}

interface MovementBadgeProps {
  entry: Movement;
  periodName: string;
  /** Always the short form (RE for RE-ENTRY), for narrow places; otherwise the stylesheet picks by width. */
  compact?: boolean;
}

/** ▲ 3, ▼ 2, =, NEW or RE-ENTRY (RE where narrow): how an entry moved against the window before. */
export function MovementBadge({ entry, periodName, compact = false }: MovementBadgeProps) {
  const places = Math.abs((entry.previous_rank ?? entry.rank) - entry.rank);
  const visible = {
    up: `▲ ${places}`,
    down: `▼ ${places}`,
    same: '=',
    new: 'NEW',
    're-entry': 'RE-ENTRY',
  }[entry.movement];
  const short = entry.movement === 're-entry' ? 'RE' : visible;
  const text = movementText(entry, periodName);
  return (
    <span
      className={`movement movement--${entry.movement}${compact ? ' movement--compact' : ''}`}
      title={text}
      data-testid="row-movement"
      data-movement={entry.movement}
    >
      <span className="movement__long" aria-hidden="true">
        {visible}
      </span>
      <span className="movement__short" aria-hidden="true">
        {short}
      </span>
      <span className="visually-hidden">{text}</span>
    </span>
  );
}
