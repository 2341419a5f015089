import { useEffect, useState } from 'preact/hooks';
import { Field } from '../ui/Field.js';
import { FieldError, invalidProps } from '../ui/FieldError.js';
import { LANGUAGES, LOCALES, t, type Locale } from '../lib/i18n.js';

export interface DetailsDraft {
  venueName: string;
  venueAddress: string;
  description: string;
  /** 18 or 21 (buyers confirm, the door checks ID), or null. */
  minAge: 18 | 21 | null;
  /** The language of its mails (orders placed without one) and its public page by default. */
  locale: Locale;
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
  errors,
}: {
  draft: DetailsDraft;
  onChange: (d: DetailsDraft) => void;
  coverUrl: string | null;
  coverFile: File | null;
  onCoverFile: (f: File | null) => void;
  removeCover: boolean;
  onRemoveCover: (remove: boolean) => void;
  coverError: string | null;
  /** The API's refusals by field (venue_name, venue_address, description, min_age, locale). */
  errors: Record<string, string>;
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
      <legend>{t('editor.details.legend')}</legend>
      <div class="grid-2">
        <Field id="ev-venue" label={t('editor.details.venue')} error={errors.venue_name}>
          {(control) => (
            <input
              {...control}
              class="input"
              maxLength={200}
              placeholder={t('editor.details.venueExample')}
              value={draft.venueName}
              onInput={(e) => set({ venueName: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field id="ev-address" label={t('editor.details.address')} error={errors.venue_address}>
          {(control) => (
            <input
              {...control}
              class="input"
              maxLength={300}
              autoComplete="street-address"
              value={draft.venueAddress}
              onInput={(e) => set({ venueAddress: e.currentTarget.value })}
            />
          )}
        </Field>
      </div>
      <Field id="ev-min-age" label={t('editor.details.minAge')} error={errors.min_age}>
        {(control) => (
          <select
            {...control}
            class="input"
            value={draft.minAge ?? ''}
            onChange={(e) =>
              set({ minAge: e.currentTarget.value === '21' ? 21 : e.currentTarget.value === '18' ? 18 : null })
            }
          >
            <option value="">{t('editor.details.noMinAge')}</option>
            <option value="18">{t('editor.details.ageOption', { age: 18 })}</option>
            <option value="21">{t('editor.details.ageOption', { age: 21 })}</option>
          </select>
        )}
      </Field>
      <Field id="ev-locale" label={t('editor.details.locale')} error={errors.locale}>
        {(control) => (
          <select
            {...control}
            class="input"
            value={draft.locale}
            onChange={(e) => set({ locale: e.currentTarget.value as Locale })}
          >
            {LOCALES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LANGUAGES[l].name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="ev-description" label={t('editor.details.description')} error={errors.description}>
        {(control) => (
          <textarea
            {...control}
            class="input"
            rows={4}
            maxLength={4000}
            placeholder={t('editor.details.descriptionExample')}
            value={draft.description}
            onInput={(e) => set({ description: e.currentTarget.value })}
          />
        )}
      </Field>
      <div class="field">
        <label for="ev-cover">{t('editor.details.cover')}</label>
        {shown && <img class="cover-preview" src={shown} alt={t('editor.details.coverAlt')} />}
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
            {t('editor.details.removeCover')}
          </button>
        )}
      </div>
    </fieldset>
  );
}
