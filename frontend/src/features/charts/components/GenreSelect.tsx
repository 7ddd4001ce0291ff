import { Field } from '../../../components/Field';
import { type Genre, genreLabel, genres, isGenre } from '../../../utils/genres';

interface GenreSelectProps {
  /** undefined: every genre. */
  value: Genre | undefined;
  onChange: (genre: Genre | undefined) => void;
}

const ALL = 'all';

/** Every genre, or one of the catalog's: a genre's chart counts only the plays of its songs. */
export function GenreSelect({ value, onChange }: GenreSelectProps) {
  return (
    <Field label="Genre">
      {(id) => (
        <select
          id={id}
          className="select"
          value={value ?? ALL}
          onChange={(event) => onChange(isGenre(event.target.value) ? event.target.value : undefined)}
          data-testid="genre-select"
        >
          <option value={ALL}>All genres</option>
          {genres.map((genre) => (
            <option key={genre} value={genre}>
              {genreLabel(genre)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
