import { Topbar } from './Topbar.js';
import { t } from '../lib/i18n.js';

export function NotFound() {
  return (
    <>
      <Topbar title={t('notFound.title')} />
      <main class="page narrow">
        <h1>{t('notFound.heading')}</h1>
        <p class="muted">{t('notFound.text')}</p>
        <a class="btn" href="/">
          {t('notFound.home')}
        </a>
      </main>
    </>
  );
}
