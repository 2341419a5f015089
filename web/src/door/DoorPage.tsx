import { useEffect, useState } from 'preact/hooks';
import { kvGet, kvSet } from '../lib/db.js';
import { RequireLogin } from '../ui/RequireLogin.js';
import { DoorScreen } from './DoorScreen.js';
import { DoorSetup, type DoorChoice } from './DoorSetup.js';
import './door.css';
import { t } from '../lib/i18n.js';

const SETUP_KEY = 'door.setup';

/** `/door`: staff log in, pick tonight's event and name the device once, then scan all night. */
export function DoorPage() {
  return (
    <RequireLogin roles={['staff', 'owner']} heading={t('door.title')}>
      <Door />
    </RequireLogin>
  );
}

function Door() {
  const [choice, setChoice] = useState<DoorChoice | null | undefined>(undefined);
  const [changing, setChanging] = useState(false);
  useEffect(() => {
    kvGet<DoorChoice>(SETUP_KEY).then(
      (c) => setChoice(c ?? null),
      () => setChoice(null),
    );
  }, []);
  if (choice === undefined) return null;
  if (!choice || changing) {
    return (
      <DoorSetup
        current={choice}
        onDone={(c) => {
          void kvSet(SETUP_KEY, c);
          setChoice(c);
          setChanging(false);
        }}
      />
    );
  }
  return (
    <DoorScreen key={`${choice.eventId}/${choice.scannerId}`} choice={choice} onChange={() => setChanging(true)} />
  );
}
