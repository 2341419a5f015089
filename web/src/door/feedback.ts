import type { DoorResult } from './result.js';

let audio: AudioContext | null = null;

/**
 * A short tone and a vibration that differ for "in" and "not in", so the doorman knows without
 * looking: two rising beeps to admit, one low buzz to refuse, a middle double beep for a warning.
 */
export function signal(result: DoorResult, sound: boolean): void {
  const refused = result.result === 'rejected' && !result.repeat;
  const warned = !refused && (result.warning !== null || result.repeat !== undefined);
  navigator.vibrate?.(refused ? [220, 90, 220] : warned ? [80, 60, 80] : [70]);
  if (!sound) return;
  try {
    audio ??= new AudioContext();
    void audio.resume();
    if (refused) tone(audio, 196, 0, 0.42, 'square');
    else if (warned) {
      tone(audio, 520, 0, 0.12, 'sine');
      tone(audio, 520, 0.18, 0.12, 'sine');
    } else {
      tone(audio, 660, 0, 0.1, 'sine');
      tone(audio, 990, 0.12, 0.14, 'sine');
    }
  } catch {
    // No audio on this device: the screen and the vibration still say it.
  }
}

function tone(ctx: AudioContext, hz: number, start: number, seconds: number, type: OscillatorType): void {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = type;
  osc.frequency.value = hz;
  const t = ctx.currentTime + start;
  gain.gain.setValueAtTime(0.0001, t);
  gain.gain.exponentialRampToValueAtTime(0.25, t + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, t + seconds);
  osc.connect(gain).connect(ctx.destination);
  osc.start(t);
  osc.stop(t + seconds + 0.02);
}
