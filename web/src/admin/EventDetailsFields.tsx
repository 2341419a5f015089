import { useEffect, useState } from 'preact/hooks';
import { FieldError, invalidProps } from '../ui/FieldError.js';

export interface DetailsDraft {
  venueName: string;
  venueAddress: string;
  description: string;
  /** 18 or 21 (buyers confirm, the door checks ID), or null. */
  minAge: 18 | 21 | null;
}

/**
 * "Where and what" in the event editor: the venue, its address (buyers get a map link), a
 * description, and a cover image. The image is chosen here and uploaded when the event is saved
 * (Velvet resizes it); a refusal comes back next to this field.
 */
export function EventDetailsFields({
  draft,
  onChange,
  coverUrl,
  coverFile,
  onCoverFile,
  removeCover,
  onRemoveCover,
  coverError,
}: {
  draft: DetailsDraft;
  onChange: (d: DetailsDraft) => void;
  coverUrl: string | null;
  coverFile: File | null;
  onCoverFile: (f: File | null) => void;
  removeCover: boolean;
  onRemoveCover: (remove: boolean) => void;
  coverError: string | null;
}) {
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => {
    if (!coverFile) return setPreview(null);
    const url = URL.createObjectURL(coverFile);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [coverFile]);
  const shown = preview ?? (removeCover ? null : coverUrl);
  const set = (patch: Partial<DetailsDraft>) => onChange({ ...draft, ...patch });
  return (
    <fieldset class="card stack">
      <legend>Where and what</legend>
      <div class="grid-2">
        <div class="field">
          <label for="ev-venue">Venue</label>
          <input
            id="ev-venue"
            class="input"
            maxLength={200}
            placeholder="e.g. The Vault"
            value={draft.venueName}
            onInput={(e) => set({ venueName: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="ev-address">Address (buyers get a map link)</label>
          <input
            id="ev-address"
            class="input"
            maxLength={300}
            autoComplete="street-address"
            value={draft.venueAddress}
            onInput={(e) => set({ venueAddress: e.currentTarget.value })}
          />
        </div>
      </div>
      <div class="field">
        <label for="ev-min-age">Minimum age</label>
        <select
          id="ev-min-age"
          class="input"
          value={draft.minAge ?? ''}
          onChange={(e) =>
            set({ minAge: e.currentTarget.value === '21' ? 21 : e.currentTarget.value === '18' ? 18 : null })
          }
        >
          <option value="">None</option>
          <option value="18">18+ (buyers confirm; the door checks ID)</option>
          <option value="21">21+ (buyers confirm; the door checks ID)</option>
        </select>
      </div>
      <div class="field">
        <label for="ev-description">Description</label>
        <textarea
          id="ev-description"
          class="input"
          rows={4}
          maxLength={4000}
          placeholder="Who plays, the music, the dress code…"
          value={draft.description}
          onInput={(e) => set({ description: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for="ev-cover">Cover image (JPEG, PNG or WebP, up to 10 MB; shown wide on the buyer's page)</label>
        {shown && <img class="cover-preview" src={shown} alt="The cover as buyers will see it" />}
        <input
          id="ev-cover"
          class="input"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          onChange={(e) => {
            onCoverFile(e.currentTarget.files?.[0] ?? null);
            onRemoveCover(false);
          }}
          {...invalidProps('ev-cover-error', coverError)}
        />
        <FieldError id="ev-cover-error" error={coverError} />
        {(coverUrl || coverFile) && !removeCover && (
          <button
            class="btn ghost small"
            type="button"
            onClick={() => {
              onCoverFile(null);
              onRemoveCover(true);
            }}
          >
            Remove the cover
          </button>
        )}
      </div>
    </fieldset>
  );
}
