// 模拟手机 (local only): every demo person's phone with its SMS thread. Type as them, move the local
// clock and run the scheduler tick: the whole weekly rhythm without curl.
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n.tsx';
import { formatTime } from '../ui.tsx';

interface Person {
  id: string;
  name: string;
  role: 'carer' | 'parent' | 'coordinator';
  phone: string;
}
interface Entry {
  at: string;
  direction: 'in' | 'out';
  body: string;
}

async function dev<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, init);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as T;
}

export function PhonesPage() {
  const { t, lang } = useI18n();
  const [people, setPeople] = useState<Person[]>([]);
  const [now, setNow] = useState('');
  const [phone, setPhone] = useState<string | undefined>();
  const [thread, setThread] = useState<Entry[]>([]);
  const [text, setText] = useState('');
  const [at, setAt] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [round, setRound] = useState(0);
  const refresh = () => setRound((r) => r + 1);

  useEffect(() => {
    dev<{ now: string; people: Person[] }>('/dev/phones').then(
      (d) => {
        setPeople(d.people);
        setNow(d.now);
        setPhone((p) => p ?? d.people.find((x) => x.role === 'carer')?.phone);
      },
      (e: Error) => setError(e.message),
    );
  }, [round]);
  useEffect(() => {
    if (!phone) return;
    const load = () =>
      dev<{ thread: Entry[] }>(`/dev/phones/thread?phone=${encodeURIComponent(phone)}`).then((d) =>
        setThread(d.thread),
      );
    void load();
    // The send worker delivers in the background: look again every few seconds.
    const timer = setInterval(() => void load(), 2000);
    return () => clearInterval(timer);
  }, [phone, round]);

  const send = async (e: Event) => {
    e.preventDefault();
    if (!phone || !text.trim()) return;
    await dev(`/dev/phones/text?phone=${encodeURIComponent(phone)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: text,
    }).catch((err: Error) => setError(err.message));
    setText('');
    refresh();
  };
  const tick = async (moveTo?: string) => {
    const q = moveTo ? `?at=${encodeURIComponent(`${moveTo}+08:00`)}` : '';
    await dev(`/dev/tick${q}`, { method: 'POST' }).catch((err: Error) => setError(err.message));
    refresh();
  };
  const person = people.find((p) => p.phone === phone);
  return (
    <>
      <h1>{t('phonesTitle')}</h1>
      <p class="meta">{t('localTime', { at: now ? formatTime(now, lang) : '' })}</p>
      <div class="panel">
        <label>
          {t('moveClock')}
          <input
            type="datetime-local"
            value={at}
            onInput={(e) => setAt((e.target as HTMLInputElement).value)}
          />
        </label>
        <div class="row">
          <button type="button" disabled={!at} onClick={() => void tick(at)}>
            {t('moveAndTick')}
          </button>
          <button type="button" onClick={() => void tick()}>
            {t('tickNow')}
          </button>
        </div>
      </div>
      <label>
        {t('whosePhone')}
        <select value={phone} onChange={(e) => setPhone((e.target as HTMLSelectElement).value)}>
          {people.map((p) => (
            <option key={p.phone} value={p.phone}>
              {p.name}（{t(`role_${p.role}`)}）{p.phone}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <section class="phone" aria-label={person?.name ?? ''}>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the thread scrolls; a keyboard must reach all of it */}
        <ol class="thread" data-testid="thread" aria-live="polite" tabIndex={0}>
          {thread.map((m, i) => (
            <li key={`${m.at}-${i}`} class={m.direction}>
              <span class="visually-hidden">{m.direction === 'in' ? person?.name : '连心'}: </span>
              {m.body}
            </li>
          ))}
        </ol>
        <form class="compose" onSubmit={(e) => void send(e)}>
          <label for="sms-text" class="visually-hidden">
            {t('typeAs', { name: person?.name ?? '' })}
          </label>
          <input
            id="sms-text"
            value={text}
            placeholder={t('typeAs', { name: person?.name ?? '' })}
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
          />
          <button type="submit" class="primary">
            {t('send')}
          </button>
        </form>
      </section>
    </>
  );
}
