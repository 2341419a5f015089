import { useEffect, useRef, useState } from 'preact/hooks';
import { useLatest } from '../lib/use-latest.js';
import { qrDetector } from './barcode.js';
import { t } from '../lib/i18n.js';

/** No code seen and nobody touching the screen for this long: the camera sleeps (battery). */
const IDLE_MS = 90_000;
const FRAME_MS = 120;
const CAMERA_KEY = 'velvet.door.camera';

type State = 'off' | 'starting' | 'on' | 'error';

interface TorchCapabilities extends MediaTrackCapabilities {
  torch?: boolean;
}

/**
 * The camera as a QR reader: back camera by default, a picker when there are several, the torch
 * where the phone has one, paused when idle or when the page is hidden, restarted with one tap.
 * Every code it reads goes to `onCode`; the door engine ignores the same code held in view.
 */
export function Camera({ onCode }: { onCode: (code: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const lastSeen = useRef(Date.now());
  const [state, setState] = useState<State>('off');
  const [error, setError] = useState<string | null>(null);
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [deviceId, setDeviceId] = useState<string>(() => localStorage.getItem(CAMERA_KEY) ?? '');
  const [torch, setTorch] = useState<boolean | null>(null);
  const onCodeRef = useRef(onCode);
  onCodeRef.current = onCode;

  const stop = () => {
    stream.current?.getTracks().forEach((t) => t.stop());
    stream.current = null;
    if (video.current) video.current.srcObject = null;
    setTorch(null);
    setState('off');
  };

  const start = async (chosen = deviceId) => {
    if (!navigator.mediaDevices?.getUserMedia) {
      setError(t('door.camera.noHttps'));
      setState('error');
      return;
    }
    stop();
    setState('starting');
    setError(null);
    try {
      const media = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: chosen
          ? { deviceId: { exact: chosen } }
          : { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
      stream.current = media;
      const v = video.current!;
      v.srcObject = media;
      await v.play();
      lastSeen.current = Date.now();
      setState('on');
      const track = media.getVideoTracks()[0];
      const caps = (track?.getCapabilities?.() ?? {}) as TorchCapabilities;
      setTorch(caps.torch ? false : null);
      const all = await navigator.mediaDevices.enumerateDevices();
      setCameras(all.filter((d) => d.kind === 'videoinput'));
    } catch (err) {
      const name = (err as DOMException).name;
      setError(
        t(
          name === 'NotAllowedError'
            ? 'door.camera.blocked'
            : name === 'NotFoundError' || name === 'OverconstrainedError'
              ? 'door.camera.none'
              : 'door.camera.failed',
        ),
      );
      setState('error');
    }
  };

  // The reading loop: one frame at a time, never two detections at once.
  useEffect(() => {
    if (state !== 'on') return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const loop = async () => {
      if (stopped) return;
      const v = video.current;
      if (v && v.readyState >= 2) {
        try {
          const found = await (await qrDetector()).detect(v);
          const code = found[0]?.rawValue;
          if (code) {
            lastSeen.current = Date.now();
            onCodeRef.current(code);
          }
        } catch {
          // A frame that could not be read (e.g. while the camera switches): try the next one.
        }
      }
      if (Date.now() - lastSeen.current > IDLE_MS) return stop();
      timer = setTimeout(loop, FRAME_MS);
    };
    void loop();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [state]);

  // Start with the page, sleep when it is hidden, and stop for good when leaving the door.
  const control = useLatest({ start, stop });
  useEffect(() => {
    // The latest start/stop: they read the chosen camera, which may change while the door is open.
    const stopNow = () => control.current.stop();
    void control.current.start();
    const touch = () => (lastSeen.current = Date.now());
    const visibility = () => (document.hidden ? stopNow() : void control.current.start());
    document.addEventListener('visibilitychange', visibility);
    window.addEventListener('pointerdown', touch);
    window.addEventListener('keydown', touch);
    return () => {
      document.removeEventListener('visibilitychange', visibility);
      window.removeEventListener('pointerdown', touch);
      window.removeEventListener('keydown', touch);
      stopNow();
    };
  }, [control]);

  const pick = (id: string) => {
    setDeviceId(id);
    localStorage.setItem(CAMERA_KEY, id);
    void start(id);
  };

  const toggleTorch = async () => {
    const track = stream.current?.getVideoTracks()[0];
    if (!track || torch === null) return;
    try {
      await track.applyConstraints({ advanced: [{ torch: !torch } as MediaTrackConstraintSet] });
      setTorch(!torch);
    } catch {
      setTorch(null);
    }
  };

  return (
    <section class={`camera ${state}`} aria-label={t('door.camera.label')}>
      <video ref={video} muted playsInline class={state === 'on' ? 'live' : ''} aria-hidden="true" />
      {state === 'on' && <div class="aim" aria-hidden="true" />}
      {state !== 'on' && (
        <div class="camera-idle">
          {error ? (
            <p role="alert">{error}</p>
          ) : (
            <p>{t(state === 'starting' ? 'door.camera.starting' : 'door.camera.paused')}</p>
          )}
          <button class="btn primary" type="button" onClick={() => void start()} disabled={state === 'starting'}>
            {t(state === 'error' ? 'door.camera.retry' : 'door.camera.start')}
          </button>
        </div>
      )}
      {state === 'on' && (
        <div class="camera-tools">
          {cameras.length > 1 && (
            <label>
              <span class="visually-hidden">{t('door.camera.label')}</span>
              <select class="input small" value={deviceId} onChange={(e) => pick(e.currentTarget.value)}>
                <option value="">{t('door.camera.back')}</option>
                {cameras.map((c, i) => (
                  <option key={c.deviceId} value={c.deviceId}>
                    {c.label || t('door.camera.numbered', { n: i + 1 })}
                  </option>
                ))}
              </select>
            </label>
          )}
          {torch !== null && (
            <button class="btn small" type="button" aria-pressed={torch} onClick={() => void toggleTorch()}>
              {t(torch ? 'door.camera.torchOff' : 'door.camera.torch')}
            </button>
          )}
          <button class="btn small ghost" type="button" onClick={stop}>
            {t('door.camera.pause')}
          </button>
        </div>
      )}
    </section>
  );
}
