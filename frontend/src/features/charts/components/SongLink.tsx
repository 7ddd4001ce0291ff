import type { MouseEvent, ReactNode } from 'react';
import './SongLink.css';

/** How the charts open a song's trend: the app wires it to the songs feature. */
export interface SongLinks {
  /** The address of the view with the song's trend open (a real link: it can be copied or opened in a tab). */
  href: (songId: string) => string;
  /** Opens the trend in place. */
  open: (songId: string) => void;
}

interface SongLinkProps {
  songId: string;
  links: SongLinks | undefined;
  className?: string;
  testId?: string;
  children: ReactNode;
}

/** A song's name that opens its trend; a plain click stays on the page, a modified one opens a tab. */
export function SongLink({ songId, links, className, testId, children }: SongLinkProps) {
  if (!links) return <span className={className}>{children}</span>;
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    links.open(songId);
  };
  return (
    <a
      href={links.href(songId)}
      className={className ? `song-link ${className}` : 'song-link'}
      onClick={onClick}
      data-testid={testId}
    >
      {children}
    </a>
  );
}
