import { CATALOGUES, LOCALES, locale, setLocale, t, type Locale } from '../lib/i18n.js';

/**
 * The language of this device's pages, each language named in its own words (someone who cannot
 * read the current one still finds theirs); remembered on the device.
 */
export function LanguageSwitcher() {
  return (
    <label class="language-switcher">
      <span>{t('common.language')}</span>
      <select
        class="input small"
        value={locale.value}
        onChange={(e) => setLocale(e.currentTarget.value as Locale)}
        data-testid="language"
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {CATALOGUES[l].name}
          </option>
        ))}
      </select>
    </label>
  );
}
