import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { logOut, session } from '../lib/session.js';
import { Menu } from '../ui/Menu.js';
import { Topbar } from '../ui/Topbar.js';
import { Camera } from './Camera.js';
import { Conflicts } from './Conflicts.js';
import { Counters } from './Counters.js';
import type { DoorChoice } from './DoorSetup.js';
import { AllDoors } from './AllDoors.js';
import { DoorEngine } from './engine.js';
import { signal as beep } from './feedback.js';
import { LastResult, ResultBanner } from './ResultView.js';
import { SearchBox } from './SearchBox.js';
import { StatusStrip } from './StatusStrip.js';
import { useKeyboardWedge } from './keyboard-wedge.js';
import { t, text } from '../lib/i18n.js';
import { LanguageSwitcher } from '../ui/LanguageSwitcher.js';

const SOUND_KEY = 'velvet.door.sound';

/** The door at work: camera, one input for codes and names, the result, and the night's numbers. */
export function DoorScreen({ choice, onChange }: { choice: DoorChoice; onChange: () => void }) {
  const [sound, setSound] = useState(() => localStorage.getItem(SOUND_KEY) !== 'off');
  const soundRef = useRef(sound);
  soundRef.current = sound;
  const engine = useMemo(
    () =>
      new DoorEngine(
        choice.eventId,
        choice.scannerId,
        session.value!.token,
        () => void logOut(),
        (r) => beep(r, soundRef.current),
      ),
    [choice.eventId, choice.scannerId],
  );
  const [bannerOpen, setBannerOpen] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void engine.start();
    return () => engine.stop();
  }, [engine]);

  // Every new result fills the screen for ~2 s (or until the next scan), then folds into a card.
  const result = engine.result.value;
  const resultId = result?.id;
  const heldFor = result?.vip ? 3500 : 2000; // a VIP's card has a guest list to read
  useEffect(() => {
    if (resultId === undefined) return;
    setBannerOpen(true);
    const t = setTimeout(() => setBannerOpen(false), heldFor);
    return () => clearTimeout(t);
  }, [resultId, heldFor]);

  useKeyboardWedge((code) => void engine.scan({ qr: code }, 'wedge'), inputRef);

  const toggleSound = () => {
    localStorage.setItem(SOUND_KEY, sound ? 'off' : 'on');
    setSound(!sound);
  };

  const eventName = engine.cache.meta?.event.name ?? choice.eventName;
  return (
    <>
      <Topbar title={eventName} account={false}>
        <Menu label={choice.scannerId}>
          <LanguageSwitcher />
          <button class="btn ghost" type="button" aria-pressed={sound} onClick={toggleSound}>
            {t(sound ? 'door.menu.soundOn' : 'door.menu.soundOff')}
          </button>
          <button class="btn ghost" type="button" onClick={onChange}>
            {t('door.menu.change')}
          </button>
          <button class="btn ghost" type="button" onClick={() => void logOut()}>
            {t('common.logOut')}
          </button>
        </Menu>
      </Topbar>
      <StatusStrip engine={engine} />
      <main class="page door">
        {engine.state.value === 'no-cache' && (
          <p class="card form-error" role="alert">
            {t('door.noCache')}
          </p>
        )}
        <div class="door-grid">
          <div class="stack">
            <Camera onCode={(code) => void engine.scan({ qr: code }, 'camera')} />
            <SearchBox engine={engine} inputRef={inputRef} onTyping={() => setBannerOpen(false)} />
          </div>
          <div class="stack">
            {result && <LastResult result={result} onAdmit={(ticketId) => engine.admitGuest(ticketId)} />}
            <Counters engine={engine} />
            <AllDoors
              eventId={choice.eventId}
              token={session.value!.token}
              scannerId={choice.scannerId}
              onFigures={(f) => engine.catchUp(f.admitted)}
              onUnauthorized={() => void logOut()}
            />
            <Conflicts engine={engine} />
          </div>
        </div>
      </main>
      {/* Announced to screen readers on every scan, whether or not the banner is showing. */}
      <div class="visually-hidden" aria-live="assertive" role="status">
        {result ? t(`door.announce.${result.result}`, { message: text(result.message) }) : ''}
      </div>
      {result && bannerOpen && <ResultBanner result={result} onDismiss={() => setBannerOpen(false)} />}
    </>
  );
}
