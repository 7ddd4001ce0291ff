import type { ChartEntry } from '../api/schemas';
import './MovementBadge.css';

type Movement = Pick<ChartEntry, 'rank' | 'previous_rank' | 'movement'>;

/** What a screen reader hears, and a pointer's tooltip shows. */
export function movementText({ rank, previous_rank, movement }: Movement, periodName: string): string {
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

/** ▲ 3, ▼ 2, =, NEW or RE-ENTRY: how an entry moved against the window before, as public charts mark it. */
export function MovementBadge({ entry, periodName }: { entry: Movement; periodName: string }) {
  const places = Math.abs((entry.previous_rank ?? entry.rank) - entry.rank);
  const visible = {
    up: `▲ ${places}`,
    down: `▼ ${places}`,
    same: '=',
    new: 'NEW',
    're-entry': 'RE-ENTRY',
  }[entry.movement];
  const text = movementText(entry, periodName);
  return (
    <span
      className={`movement movement--${entry.movement}`}
      title={text}
      data-testid="row-movement"
      data-movement={entry.movement}
    >
      <span aria-hidden="true">{visible}</span>
      <span className="visually-hidden">{text}</span>
    </span>
  );
}
