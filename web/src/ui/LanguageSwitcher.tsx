import { LANGUAGES, LOCALES, locale, setLocale, t, type Locale } from '../lib/i18n.js';

/**
 * The language of this device's pages, each language named in its own words (someone who cannot
 * read the current one still finds theirs); remembered on the device. `compact` in a top bar.
 */
export function LanguageSwitcher({ compact = false }: { compact?: boolean }) {
  return (
    <label class={`language-switcher${compact ? ' compact' : ''}`}>
      {/* In a top bar the select names the language already; the label is still read out. */}
      <span class={compact ? 'visually-hidden' : undefined}>{t('common.language')}</span>
      <select
        class="input small"
        value={locale.value}
        onChange={(e) => void setLocale(e.currentTarget.value as Locale)}
        data-testid="language"
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGES[l].name}
          </option>
        ))}
      </select>
    </label>
  );
}
